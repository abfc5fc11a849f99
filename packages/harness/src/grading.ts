import type { InstanceReport, TestStatus, TestStatusMap, TestsStatus } from '@repoforge/schema';
import { HarnessError } from './errors.js';
import { logParserFor } from './parsers/registry.js';
import type { LogParser, ParseContext } from './parsers/types.js';

/** SWE-bench's log markers, byte for byte. */
export const MARKERS = {
  APPLY_PATCH_FAIL: '>>>>> Patch Apply Failed',
  APPLY_PATCH_PASS: '>>>>> Applied Patch',
  RESET_FAILED: '>>>>> Reset Failed',
  TESTS_ERROR: '>>>>> Tests Errored',
  TESTS_TIMEOUT: '>>>>> Tests Timed Out',
  START_TEST_OUTPUT: '>>>>> Start Test Output',
  END_TEST_OUTPUT: '>>>>> End Test Output',
  TEST_EXIT_CODE: '>>>>> Test Exit Code',
} as const;

/** FULL / PARTIAL / NO, as SWE-bench names them. */
export type ResolvedStatus = 'RESOLVED_FULL' | 'RESOLVED_PARTIAL' | 'RESOLVED_NO';

/** How to grade. */
export interface GradeOptions {
  /** `strict` (default): SWE-bench's later hardening. `legacy`: the original rules, for exact old scores. */
  mode?: 'strict' | 'legacy';
  /** Grade fail-only (repos whose parser records only failures). */
  failOnly?: boolean;
  /** The test command's exit code, when known (strict mode uses it). */
  exitCode?: number;
  /** Statuses from a structured source (JUnit XML); they override text-parsed ones. */
  structured?: TestStatusMap;
  /**
   * Tests left out of FAIL_TO_PASS / PASS_TO_PASS (tests that need the internet): reported in `excluded`.
   * An instance whose every FAIL_TO_PASS test is excluded is not resolved: nothing is left to show the fix.
   */
  exclude?: readonly string[];
}

/**
 * Reads the exit code our eval script records (`>>>>> Test Exit Code: N`), if present. The last one counts:
 * the script prints it after the tests, so an earlier one came from the tests themselves.
 */
function exitCodeFromLog(log: string): number | undefined {
  const all = [...log.matchAll(new RegExp(`^${MARKERS.TEST_EXIT_CODE}: (\\d+)$`, 'gm'))];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

/**
 * SWE-bench's `get_logs_eval`: error markers mean nothing was graded; otherwise parse the text between the
 * start/end markers, falling back to the whole log when that yields nothing.
 */
export function getLogsEval(
  log: string,
  parser: LogParser,
  context?: ParseContext,
  mode: 'strict' | 'legacy' = 'legacy',
): { statusMap: TestStatusMap; found: boolean } {
  const bad = [MARKERS.APPLY_PATCH_FAIL, MARKERS.RESET_FAILED, MARKERS.TESTS_ERROR, MARKERS.TESTS_TIMEOUT];
  if (bad.some((m) => log.includes(m))) return { statusMap: {}, found: false };
  if (!(log.includes(MARKERS.START_TEST_OUTPUT) && log.includes(MARKERS.END_TEST_OUTPUT)))
    return { statusMap: {}, found: false };
  const between = log.split(MARKERS.START_TEST_OUTPUT)[1]!.split(MARKERS.END_TEST_OUTPUT)[0]!;
  let statusMap = parser(between, context);
  // The fallback reads the whole log (SWE-bench's Modal logs put results outside the markers). Strict mode
  // stops at the end marker: a line written after the tests ended (a leftover process) proves nothing.
  const fallback = mode === 'strict' ? log.split(MARKERS.END_TEST_OUTPUT)[0]! : log;
  if (Object.keys(statusMap).length === 0) statusMap = parser(fallback, context);
  return { statusMap, found: true };
}

/**
 * A saved log of a run that hit its timeout: it ends with the harness's `Timeout error: N seconds exceeded.`
 * and never reached the end marker. SWE-bench counts such an instance as an error (no report), not a verdict.
 */
export function isTimedOutLog(log: string): boolean {
  return !log.includes(MARKERS.END_TEST_OUTPUT) && /Timeout error: [\d.]+ seconds exceeded\.\s*$/.test(log);
}

/**
 * One key for the two spellings of a unittest name: Python >= 3.11 prints `test_x (m.C.test_x)` where older
 * Pythons (and most of SWE-bench's lists) say `test_x (m.C)`.
 */
export function canonicalTestName(name: string): string {
  const m = /^(\w+) \(([\w.]+)\.(\w+)\)$/.exec(name);
  return m && m[1] === m[3] ? `${m[1]} (${m[2]})` : name;
}

/**
 * A status lookup by the dataset's names: the exact name first (so SWE-bench's own logs grade exactly as
 * before), then the other unittest spelling of it.
 */
function statusLookup(sm: TestStatusMap): (name: string) => TestStatus | undefined {
  let byCanonical: Map<string, TestStatus> | undefined;
  return (name) => {
    if (Object.hasOwn(sm, name)) return sm[name];
    byCanonical ??= new Map(Object.entries(sm).map(([k, v]) => [canonicalTestName(k), v]));
    return byCanonical.get(canonicalTestName(name));
  };
}

/**
 * How many of an instance's FAIL_TO_PASS / PASS_TO_PASS names the log mentions at all, under either unittest
 * spelling. "0 of 98 expected tests were seen" is a naming or harness problem (a parser for another runner,
 * the wrong test files), not a verdict on the patch.
 */
export function expectedTestsSeen(
  sm: TestStatusMap,
  gold: { FAIL_TO_PASS: readonly string[]; PASS_TO_PASS: readonly string[] },
): { expected: number; seen: number; missing: string[] } {
  const statusOf = statusLookup(sm);
  const names = [...new Set([...gold.FAIL_TO_PASS, ...gold.PASS_TO_PASS])];
  const missing = names.filter((n) => statusOf(n) === undefined);
  return { expected: names.length, seen: names.length - missing.length, missing };
}

/** SWE-bench's `get_eval_tests_report`: success/failure lists per transition bucket, in gold order. */
export function getEvalTestsReport(
  sm: TestStatusMap,
  gold: {
    FAIL_TO_PASS: readonly string[];
    PASS_TO_PASS: readonly string[];
    FAIL_TO_FAIL?: readonly string[];
    PASS_TO_FAIL?: readonly string[];
  },
  options: { failOnly?: boolean; mode?: 'strict' | 'legacy'; calculateToFail?: boolean } = {},
): TestsStatus {
  const strict = (options.mode ?? 'strict') === 'strict';
  const statusOf = statusLookup(sm);
  const check = (tests: readonly string[] = [], maintained = false) => {
    const out = { success: [] as string[], failure: [] as string[] };
    for (const t of tests) {
      const s = statusOf(t);
      if (options.failOnly) {
        (s === 'FAILED' ? out.failure : out.success).push(t);
      } else if (s === 'PASSED' || s === 'XFAIL' || (maintained && s === 'SKIPPED')) out.success.push(t);
      else if (s === undefined || s === 'FAILED' || s === 'ERROR' || (strict && s === 'SKIPPED'))
        out.failure.push(t);
    }
    return out;
  };
  const none = { success: [], failure: [] };
  return {
    FAIL_TO_PASS: check(gold.FAIL_TO_PASS),
    PASS_TO_PASS: check(gold.PASS_TO_PASS, strict),
    FAIL_TO_FAIL: options.calculateToFail ? check(gold.FAIL_TO_FAIL) : none,
    PASS_TO_FAIL: options.calculateToFail ? check(gold.PASS_TO_FAIL) : none,
  };
}

/** SWE-bench's `get_resolution_status`. */
export function getResolutionStatus(report: TestsStatus): ResolvedStatus {
  const ratio = (b: { success: string[]; failure: string[] }) => {
    const total = b.success.length + b.failure.length;
    return total === 0 ? 1 : b.success.length / total;
  };
  const f2p = ratio(report.FAIL_TO_PASS);
  const p2p = ratio(report.PASS_TO_PASS);
  if (f2p === 1 && p2p === 1) return 'RESOLVED_FULL';
  if (f2p < 1 && f2p > 0 && p2p === 1) return 'RESOLVED_PARTIAL';
  return 'RESOLVED_NO';
}

/** The verdict of one log, and why (for logs and flaky reports). */
export interface GradeResult {
  report: InstanceReport;
  statusMap: TestStatusMap;
  resolution: ResolvedStatus;
  /** Why strict mode refused a resolution the legacy rules would have granted, if it did. */
  hardened?: string;
  /** The log is no verdict at all: the instance is an error (SWE-bench writes no report for it). */
  error?: 'tests_timed_out';
  /** The instance's tests that `exclude` left out of grading. */
  excluded?: string[];
}

/** The instance's FAIL_TO_PASS / PASS_TO_PASS without the excluded tests (either unittest spelling). */
function withoutExcluded<T extends { FAIL_TO_PASS: readonly string[]; PASS_TO_PASS: readonly string[] }>(
  instance: T,
  exclude: readonly string[] | undefined,
): { gold: T; excluded: string[] } {
  if (!exclude?.length) return { gold: instance, excluded: [] };
  const out = new Set(exclude.map(canonicalTestName));
  const keep = (tests: readonly string[]) => tests.filter((t) => !out.has(canonicalTestName(t)));
  const FAIL_TO_PASS = keep(instance.FAIL_TO_PASS);
  const PASS_TO_PASS = keep(instance.PASS_TO_PASS);
  const excluded = [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS].filter((t) =>
    out.has(canonicalTestName(t)),
  );
  return { gold: { ...instance, FAIL_TO_PASS, PASS_TO_PASS }, excluded };
}

/**
 * Grades one instance's log exactly as SWE-bench's `get_eval_report` does, then (strict mode) applies the
 * later hardening: a non-zero exit with no failure reported, or a log where the suite left no trace, is not
 * resolved, so forged "PASSED" lines cannot win.
 */
export function gradeLog(input: {
  instance: {
    instance_id: string;
    repo: string;
    version?: string;
    FAIL_TO_PASS: readonly string[];
    PASS_TO_PASS: readonly string[];
  };
  modelPatch: string | null;
  log: string;
  parser: LogParser | string;
  options?: GradeOptions;
}): GradeResult {
  const { instance, modelPatch, log } = input;
  const options = input.options ?? {};
  const parser = typeof input.parser === 'string' ? logParserFor(input.parser) : input.parser;
  if (!parser) throw new HarnessError('NO_LOG_PARSER', `unknown log parser '${String(input.parser)}'`);
  const report: InstanceReport = {
    patch_is_None: false,
    patch_exists: false,
    patch_successfully_applied: false,
    resolved: false,
  };
  if (modelPatch === null)
    return { report: { ...report, patch_is_None: true }, statusMap: {}, resolution: 'RESOLVED_NO' };
  report.patch_exists = true;
  if (isTimedOutLog(log))
    return { report, statusMap: {}, resolution: 'RESOLVED_NO', error: 'tests_timed_out' };
  const { statusMap: parsed, found } = getLogsEval(
    log,
    parser,
    { instanceId: instance.instance_id, repo: instance.repo, version: instance.version },
    options.mode ?? 'strict',
  );
  if (!found) return { report, statusMap: parsed, resolution: 'RESOLVED_NO' };
  report.patch_successfully_applied = true;
  const statusMap = { ...parsed, ...options.structured };
  const { gold, excluded } = withoutExcluded(instance, options.exclude);
  const tests = getEvalTestsReport(statusMap, gold, { failOnly: options.failOnly, mode: options.mode });
  const resolution = getResolutionStatus(tests);
  let resolved = resolution === 'RESOLVED_FULL';
  let hardened: string | undefined;
  if (resolved && instance.FAIL_TO_PASS.length > 0 && gold.FAIL_TO_PASS.length === 0) {
    hardened = 'every FAIL_TO_PASS test needs the internet (excluded): nothing is left to show the fix';
    resolved = false;
  }
  if (resolved && (options.mode ?? 'strict') === 'strict') {
    const exitCode = options.exitCode ?? exitCodeFromLog(log);
    const anyFailure = Object.values(statusMap).some((s) => s === 'FAILED' || s === 'ERROR');
    if (exitCode !== undefined && exitCode !== 0 && !anyFailure) {
      hardened = `test command exited ${exitCode} with no failing test reported`;
    } else if (
      Object.keys(statusMap).length === 0 &&
      instance.FAIL_TO_PASS.length + instance.PASS_TO_PASS.length > 0
    ) {
      hardened = 'no test result in the log';
    }
    if (hardened) resolved = false;
  }
  report.resolved = resolved;
  report.tests_status = tests;
  return { report, statusMap, resolution, hardened, ...(excluded.length ? { excluded } : {}) };
}
