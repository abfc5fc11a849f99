import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (the folder with nx.json). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('test-utils: cannot find the monorepo root (nx.json)');
    dir = up;
  }
  return dir;
})();

/**
 * ../shared/fixtures beside the project root (or $REPOFORGE_FIXTURES), or undefined when absent.
 * Tests that need it skip with a clear message instead of failing on machines without the data.
 */
export function sharedFixturesDir(): string | undefined {
  const dir = process.env.REPOFORGE_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
  return existsSync(dir) ? dir : undefined;
}

/** Path of a file under the shared fixtures (throws if the folder is absent: guard with sharedFixturesDir). */
export function sharedFixture(...parts: string[]): string {
  const dir = sharedFixturesDir();
  if (!dir) throw new Error('shared fixtures are absent (expected ../shared/fixtures)');
  return join(dir, ...parts);
}

const warned = new Set<string>();

/** Prints a loud, once-per-reason notice that a group of tests is skipped, and returns true to skip. */
export function skipLoudly(reason: string): true {
  if (!warned.has(reason)) {
    warned.add(reason);
    process.stderr.write(`\n!!! SKIPPED: ${reason}\n\n`);
  }
  return true;
}

/**
 * Predictions that apply and change nothing the tests see (a new file at the root): the "before" side of
 * every instance, so a run with them must resolve none.
 */
export function noopPredictions(instances: readonly { instance_id: string }[]) {
  const patch =
    'diff --git a/REPOFORGE_NOOP b/REPOFORGE_NOOP\nnew file mode 100644\n--- /dev/null\n+++ b/REPOFORGE_NOOP\n@@ -0,0 +1 @@\n+no fix\n';
  return instances.map((i) => ({
    instance_id: i.instance_id,
    model_name_or_path: 'noop',
    model_patch: patch,
  }));
}
