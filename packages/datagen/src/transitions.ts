import type { TestStatus, TestStatusMap } from '@repoforge/schema';

const passes = (s: TestStatus | undefined) => s === 'PASSED' || s === 'XFAIL';
const fails = (s: TestStatus | undefined) => s === undefined || s === 'FAILED' || s === 'ERROR';

/** Test transitions derived from repeated runs before and after the gold patch. */
export interface Transitions {
  /** Fails (or is missing, or skipped) in every before run, passes in every after run. */
  failToPass: string[];
  /** Passes in every run, before and after. */
  passToPass: string[];
  /** Status differs between repeats of the same side: excluded from both lists. */
  flaky: string[];
  /** The subsets of failToPass that were FAILED / missing / SKIPPED before (Multi-SWE-bench's f2p, n2p, s2p). */
  byBefore: { failed: string[]; missing: string[]; skipped: string[] };
}

/**
 * Derives FAIL_TO_PASS and PASS_TO_PASS from per-test statuses of `before` runs (base + test patch) and `after`
 * runs (base + test patch + gold patch), each repeated: a test counts only if every repeat agrees.
 */
export function deriveTransitions(
  before: readonly TestStatusMap[],
  after: readonly TestStatusMap[],
): Transitions {
  const names = [...new Set([...before, ...after].flatMap((m) => Object.keys(m)))].sort();
  const out: Transitions = {
    failToPass: [],
    passToPass: [],
    flaky: [],
    byBefore: { failed: [], missing: [], skipped: [] },
  };
  for (const t of names) {
    const b = before.map((m) => m[t]);
    const a = after.map((m) => m[t]);
    if (new Set(b).size > 1 || new Set(a).size > 1) {
      out.flaky.push(t);
      continue;
    }
    if (a.every(passes) && b.every(passes)) out.passToPass.push(t);
    else if (a.every(passes) && b.every((s) => fails(s) || s === 'SKIPPED')) {
      out.failToPass.push(t);
      if (b[0] === undefined) out.byBefore.missing.push(t);
      else if (b[0] === 'SKIPPED') out.byBefore.skipped.push(t);
      else out.byBefore.failed.push(t);
    }
  }
  return out;
}
