import type { TestStatusMap } from '@repoforge/schema';

/** Tests whose status differs between repeated runs (absent in a run counts as its own status). Sorted. */
export function flakyTests(runs: readonly TestStatusMap[]): string[] {
  const names = new Set(runs.flatMap((r) => Object.keys(r)));
  const flaky: string[] = [];
  for (const name of names) {
    const seen = new Set(runs.map((r) => r[name] ?? 'MISSING'));
    if (seen.size > 1) flaky.push(name);
  }
  return flaky.sort();
}
