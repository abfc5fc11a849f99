import { type TestStatusMap, unmetRequirements } from '@repoforge/schema';
import { expectedTestsSeen, MARKERS } from './grading.js';

/**
 * Why an instance got no verdict: classes an `error` outcome carries (`error.json` in its log folder), so a
 * run's errors can be told apart — an environment that could not run the tests is never `unresolved`.
 * - `env_broken`: the test command ran no test at all (interpreter missing, import or collection error);
 * - `tests_not_found`: tests ran, but fewer of the instance's expected tests than the threshold;
 * - `unservable`: the environment cannot pass the gold patch (validated), or a recipe knows it cannot;
 * - `env_build_failed`, `timeout`, `error` (anything else: a crash, a checkout that failed).
 */
export type ErrorClass =
  | 'env_broken'
  | 'tests_not_found'
  | 'unservable'
  | 'env_build_failed'
  | 'timeout'
  | 'error';

/** A run whose log cannot carry a verdict on its patch, and why. */
export interface RunProblem {
  class: 'env_broken' | 'tests_not_found' | 'unservable';
  reason: string;
}

/**
 * Lines that say why a test command could not run: a Python exception line (pytest's `E   ` prefix too), a
 * missing interpreter or command, a Node module that cannot be found. The first such line is the reason.
 */
const FATAL_LINE =
  /^(?:E\s+)?(?:[\w.]*(?:Error|Exception)(?::|$).*|.*(?:No such file or directory|command not found|Cannot find module).*)$/m;

/** The first line of the test output that says why tests could not run, if any (at most 300 characters). */
function fatalLine(log: string): string | undefined {
  const start = log.indexOf(MARKERS.START_TEST_OUTPUT);
  const section = start >= 0 ? log.slice(start + MARKERS.START_TEST_OUTPUT.length) : log;
  const end = section.indexOf(MARKERS.END_TEST_OUTPUT);
  const tests = end >= 0 ? section.slice(0, end) : section;
  // No error line: the first reason a test was skipped (a missing optional dependency or tool) says most.
  const m = FATAL_LINE.exec(tests) ?? /^SKIPPED \[\d+\] .*$/m.exec(tests);
  return m?.[0].replace(/^E\s+/, '').trim().slice(0, 300);
}

export interface RunHealthInput {
  statusMap: TestStatusMap;
  log: string;
  /** The instance's expected tests (none: only "did any test run" is asked, as in mining). */
  expected?: { FAIL_TO_PASS: readonly string[]; PASS_TO_PASS: readonly string[] };
  /** The share of expected tests the log must show (default 1: all of them). */
  minTestsSeen?: number;
  /** The parser records failures only: an empty status map is not "nothing ran". */
  failOnly?: boolean;
}

/**
 * Whether a run's log can carry a verdict: undefined when it can, else the problem. A test command that ran
 * no test at all is `env_broken`; one that ran tests but showed fewer than `minTestsSeen` of the expected ones
 * is `tests_not_found`; one whose environment cannot meet the commit's requirements (the recipes' check) is
 * `unservable`. One rule for eval and mining alike.
 */
export function runHealth(input: RunHealthInput): RunProblem | undefined {
  const unmet = unmetRequirements(input.log);
  if (unmet.length)
    return { class: 'unservable', reason: `not servable: the environment ${unmet.join('; ')}` };
  if (input.failOnly) return undefined;
  const why = fatalLine(input.log);
  const because = why ? `: ${why}` : '';
  if (Object.keys(input.statusMap).length === 0)
    return { class: 'env_broken', reason: `the test command ran no test${because}` };
  if (!input.expected) return undefined;
  const seen = expectedTestsSeen(input.statusMap, input.expected);
  if (seen.expected === 0 || seen.seen >= seen.expected * (input.minTestsSeen ?? 1)) return undefined;
  return {
    class: 'tests_not_found',
    reason: `${seen.seen} of ${seen.expected} expected tests were seen (missing e.g. ${seen.missing
      .slice(0, 2)
      .join(' | ')})${because}`,
  };
}
