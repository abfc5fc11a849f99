import { type FileInput, isEngineFault, type Sandbox } from '@repoforge/sandbox';
import type { EnvSpec } from '@repoforge/schema';
import {
  formatInstanceReportFile,
  type Instance,
  type InstanceReport,
  type Prediction,
  renderTestCmd,
  type TestStatusMap,
} from '@repoforge/schema';
import { materializeScript, packCommitTree } from './commit-pack.js';
import { testDirectives } from './directives.js';
import { HarnessError } from './errors.js';
import { makeEvalScript } from './eval-script.js';
import { expectedTestsSeen, gradeLog, MARKERS } from './grading.js';
import { packFiles } from './materialize.js';
import { junitNamerFor, parseJUnitXml } from './parsers/junit.js';
import { FAIL_ONLY_REPOS } from './parsers/registry.js';
import { LOG_FILES } from './paths.js';
import type { RepoLocation } from './repo-source.js';
import { type ErrorClass, type RunProblem, runHealth } from './run-health.js';
import { describeRuntime, parseRuntimeProbe, type RunRuntime, runtimeProbeScript } from './runtime-probe.js';

const REPO_DIR = '/testbed';
const PATCH_PATH = '/tmp/patch.diff';
const PACK_PATH = '/tmp/repoforge-base.pack';
const EXIT_MATERIALIZE_FAILED = 90;
const EXIT_APPLY_FAILED = 91;

/**
 * One script (one exec) that checks the repo out at its base and applies the patch SWE-bench's way: strict
 * `git apply`, then with rejects, then GNU patch with fuzz; each attempt's output is printed for the log.
 */
function prepareScript(baseCommit: string, materialize: boolean): string {
  return [
    runtimeProbeScript(),
    materialize
      ? `( ${materializeScript(REPO_DIR, PACK_PATH, baseCommit).replaceAll('\n', '\n  ')}\n) || exit ${EXIT_MATERIALIZE_FAILED}`
      : `git config --global --add safe.directory ${REPO_DIR} 2>/dev/null; true`,
    `cd ${REPO_DIR}`,
    // An empty patch applies trivially (validation's "before" run); SWE-bench never runs one (empty_patch).
    `[ -s ${PATCH_PATH} ] || { echo ">>>>> Empty patch: nothing to apply"; exit 0; }`,
    `for c in "git apply --verbose ${PATCH_PATH}" "git apply --verbose --reject ${PATCH_PATH}" "patch --batch --fuzz=5 -p1 -i ${PATCH_PATH}"; do`,
    '  echo ">>>>> Trying: $c"',
    '  $c 2>&1; rc=$?',
    '  [ $rc -eq 0 ] && exit 0',
    '  case "$c" in *--reject*) git checkout -q -f . && git clean -fdq;; esac',
    'done',
    `exit ${EXIT_APPLY_FAILED}`,
  ].join('\n');
}

/** What happened to one instance, with the files of its log folder (written by the caller, report last). */
export interface InstanceOutcome {
  instance_id: string;
  /** `completed` has a report.json; `error` does not (timeout, env failure, crash), as in SWE-bench. */
  status: 'completed' | 'error';
  /** Why an `error` outcome got no verdict (written to `error.json`). */
  errorClass?: ErrorClass;
  report?: InstanceReport;
  statusMap?: TestStatusMap;
  error?: string;
  exitCode?: number;
  timedOut?: boolean;
  hardened?: string;
  /** Tests whose status differed between repeated runs (with `repeat` > 1). */
  flaky?: string[];
  /** How many of the instance's expected test names the log showed at all. */
  testsSeen?: { expected: number; seen: number };
  /**
   * Set when the log cannot carry a verdict on the patch (no test ran, or expected tests missing): the caller
   * decides whether the environment or the patch is to blame (see evaluateTask).
   */
  problem?: RunProblem;
  /** The instance's tests left out of grading because they need the internet (the env spec's `network_tests`). */
  excluded?: string[];
  timings: Record<string, number>;
  /** What ran the tests (Node.js, Python, package managers, by version) and in which image. */
  runtime?: RunRuntime;
  /** Log-folder files by relative path (`report.json`, `test_output.txt`, `repeat-2/test_output.txt`, ...). */
  files: Record<string, string>;
}

export interface RunInstanceInput {
  instance: Instance;
  prediction: Prediction;
  spec: EnvSpec;
  parser: string;
  /** The repo's objects (not needed with `ownEvalScript`: the image holds the repo). */
  location?: RepoLocation;
  sandbox: Sandbox;
  timeoutMs: number;
  gradeMode?: 'strict' | 'legacy';
  /**
   * The instance's own eval script, run in its own image (SWE-bench images hold the repo at /testbed
   * already): no checkout from the cache, the script as given.
   */
  ownEvalScript?: string;
  /** Variables for the eval script (e.g. a PYTHONHASHSEED per validation run, so hash-order flakiness shows). */
  env?: Record<string, string>;
  /** Run the whole suite: `{tests}` in the test command becomes nothing instead of the instance's test files. */
  wholeSuite?: boolean;
  /** The share of expected tests a log must show to carry a verdict (default 1); see runHealth. */
  minTestsSeen?: number;
  signal?: AbortSignal;
}

/** The log folder of one run as it fills: instance log lines, timings per step, and the files. */
function runRecord() {
  const timings: Record<string, number> = {};
  const files: Record<string, string> = {};
  const lines: string[] = [];
  const t0 = performance.now();
  let t = t0;
  return {
    timings,
    files,
    runtime: undefined as InstanceOutcome['runtime'],
    log: (m: string) => lines.push(`${new Date().toISOString()} - ${m}`),
    lap: (name: string) => {
      timings[name] = Math.round(performance.now() - t);
      t = performance.now();
    },
    /** Closes the record: total time, timings and the instance log written into `files`. */
    close: () => {
      timings.total_ms = Math.round(performance.now() - t0);
      files[LOG_FILES.timings] = JSON.stringify(timings);
      files[LOG_FILES.instanceLog] = `${lines.join('\n')}\n`;
    },
  };
}
type RunRecord = ReturnType<typeof runRecord>;

/** Repo at base_commit and the patch applied, as one archive and one exec; true when the patch applied. */
async function prepareSandbox(input: RunInstanceInput, rec: RunRecord, patch: string): Promise<boolean> {
  const { instance, sandbox, signal } = input;
  const own = input.ownEvalScript !== undefined;
  const script =
    input.ownEvalScript ??
    makeEvalScript({
      repoDir: REPO_DIR,
      baseCommit: instance.base_commit,
      testPatch: instance.test_patch,
      testCmd: renderTestCmd(input.spec.test_cmd, input.wholeSuite ? [] : testDirectives(instance)),
      preTest: input.spec.pre_test,
    });
  rec.files[LOG_FILES.evalScript] = script;
  // Everything the sandbox needs travels in one archive, and checkout + apply run as one exec.
  const inputs: FileInput[] = [
    { path: PATCH_PATH, content: patch },
    { path: '/eval.sh', content: script, mode: 0o755 },
  ];
  if (!own)
    inputs.push(
      ...packFiles(await packCommitTree(input.location!, instance.base_commit, { signal }), PACK_PATH),
    );
  await sandbox.writeFiles(inputs, { signal });
  const prep = await sandbox.exec(['/bin/sh', '-c', prepareScript(instance.base_commit, !own)], {
    timeoutMs: 600_000,
    signal,
    user: '0',
  });
  rec.lap('prepare_ms');
  const { runtime, rest } = parseRuntimeProbe(prep.stdout);
  rec.runtime = {
    versions: runtime,
    ...(sandbox.image ? { image: sandbox.image } : {}),
    ...(sandbox.imageId ? { image_id: sandbox.imageId } : {}),
  };
  rec.log(describeRuntime(runtime, sandbox.image, sandbox.imageId));
  prep.stdout = rest;
  if (prep.exitCode !== 0 && prep.exitCode !== EXIT_APPLY_FAILED) {
    throw new HarnessError(
      'MATERIALIZE_FAILED',
      `could not check out ${instance.base_commit}: ${(prep.stderr || prep.stdout).trim().slice(-500)}`,
    );
  }
  const applied = prep.exitCode === 0;
  rec.log(
    `${applied ? MARKERS.APPLY_PATCH_PASS : 'Failed to apply patch to container'}:\n${prep.stdout}${prep.stderr}`,
  );
  return applied;
}

/** The eval script's combined output and exit code, with the JUnit report when the spec names one. */
async function runTests(
  input: RunInstanceInput,
  rec: RunRecord,
  stillThere: () => Promise<unknown>,
): Promise<{ output: string; timedOut: boolean; exitCode: number; junit?: TestStatusMap; xml?: string }> {
  const { instance, sandbox, signal } = input;
  let output = '';
  const append = (c: Uint8Array) => {
    output += Buffer.from(c).toString('utf8');
  };
  // One stream: stdout and stderr interleave in the order they were written (two pipes could reorder the
  // markers against the test output under load, and SWE-bench's logs are combined too).
  const r = await sandbox.exec(['/bin/bash', '-c', 'exec /bin/bash /eval.sh 2>&1'], {
    timeoutMs: input.timeoutMs,
    onStdout: append,
    onStderr: append,
    maxOutputBytes: 64 * 1024 * 1024,
    // The instance's version, for steps that need one the checkout cannot tell (schema's python-steps).
    env: { ...(instance.version ? { REPOFORGE_INSTANCE_VERSION: instance.version } : {}), ...input.env },
    signal,
  });
  await stillThere();
  rec.lap('tests_ms');
  if (r.timedOut || !input.spec.junit_xml) return { output, timedOut: r.timedOut, exitCode: r.exitCode };
  // Read by a command, not the archive API, which does not see the tmpfs /testbed the report may be on.
  const read = await sandbox
    .exec(['cat', input.spec.junit_xml], { signal, maxOutputBytes: 64 * 1024 * 1024 })
    .catch((error) => {
      // A sandbox gone now would grade the log without the report it wrote: an error instance instead.
      if (isEngineFault(error)) throw error;
      return undefined;
    });
  const xml = read?.exitCode === 0 && read.stdout ? read.stdout : undefined;
  const junit = xml ? parseJUnitXml(xml, junitNamerFor(input.parser)) : undefined;
  return { output, timedOut: false, exitCode: r.exitCode, junit, xml };
}

/** The timeout outcome, with SWE-bench's timeout line in the test output. */
function timedOutOutcome(input: RunInstanceInput, rec: RunRecord, output: string): InstanceOutcome {
  const secs = Math.round(input.timeoutMs / 1000);
  rec.files[LOG_FILES.testOutput] = `${output}\n\nTimeout error: ${secs} seconds exceeded.`;
  rec.log(`Test timed out after ${secs} seconds.`);
  rec.close();
  return {
    instance_id: input.instance.instance_id,
    status: 'error',
    errorClass: 'timeout',
    error: 'timeout',
    timedOut: true,
    exitCode: 124,
    timings: rec.timings,
    ...(rec.runtime ? { runtime: rec.runtime } : {}),
    files: rec.files,
  };
}

/** Grades the log (and JUnit report) into the outcome; a log that shows no test gives no verdict. */
function gradedOutcome(
  input: RunInstanceInput,
  rec: RunRecord,
  output: string,
  run: { exitCode: number; junit?: TestStatusMap } | undefined,
): InstanceOutcome {
  const { instance, prediction } = input;
  const { files, log } = rec;
  files[LOG_FILES.testOutput] = output;
  const graded = gradeLog({
    instance,
    modelPatch: prediction.model_patch,
    log: output,
    parser: input.parser,
    options: {
      mode: input.gradeMode,
      failOnly: FAIL_ONLY_REPOS.has(instance.repo),
      exitCode: run?.exitCode,
      structured: run?.junit,
      exclude: input.spec.network_tests,
    },
  });
  if (graded.excluded) {
    log(`Excluded from grading (need the internet): ${graded.excluded.join(' | ')}`);
    files[LOG_FILES.excluded] = JSON.stringify({ reason: 'network', tests: graded.excluded }, null, 2);
  }
  if (graded.hardened) log(`Not resolved (strict grading): ${graded.hardened}`);
  const seen = expectedTestsSeen(graded.statusMap, instance);
  // A patch that did not apply is a verdict; a log that shows no test, or too few of the expected, is not.
  const problem = run
    ? runHealth({
        statusMap: graded.statusMap,
        log: output,
        expected: instance,
        minTestsSeen: input.minTestsSeen,
        failOnly: FAIL_ONLY_REPOS.has(instance.repo),
      })
    : undefined;
  if (problem) log(`No verdict from this log (${problem.class}): ${problem.reason}`);
  // The parser is kept with what it saw: a planned run's parser is not the dataset's, and a regrade reads it here.
  files[LOG_FILES.testsSeen] = JSON.stringify({
    expected: seen.expected,
    seen: seen.seen,
    missing: seen.missing,
    parser: input.parser,
  });
  log(`report: ${JSON.stringify(graded.report)}`);
  files[LOG_FILES.statuses] = JSON.stringify(graded.statusMap, null, 2);
  rec.close();
  files[LOG_FILES.report] = formatInstanceReportFile(instance.instance_id, graded.report);
  return {
    instance_id: instance.instance_id,
    status: 'completed',
    report: graded.report,
    statusMap: graded.statusMap,
    exitCode: run?.exitCode,
    hardened: graded.hardened,
    testsSeen: { expected: seen.expected, seen: seen.seen },
    ...(problem ? { problem } : {}),
    ...(graded.excluded ? { excluded: graded.excluded } : {}),
    timings: rec.timings,
    ...(rec.runtime ? { runtime: rec.runtime } : {}),
    files,
  };
}

/**
 * Evaluates one prediction in a fresh sandbox: repo at base_commit, patch applied SWE-bench's way, the eval
 * script run with a timeout, the log graded. Returns the outcome and the files of its log folder.
 */
export async function runInstance(input: RunInstanceInput): Promise<InstanceOutcome> {
  const { instance, prediction, sandbox, signal } = input;
  const rec = runRecord();
  const patch = prediction.model_patch ?? '';
  rec.files[LOG_FILES.patch] = patch;
  rec.log(`Evaluating ${instance.instance_id} in ${sandbox.backend} sandbox ${sandbox.id.slice(0, 12)}`);
  const applied = await prepareSandbox(input, rec, patch);
  // A sandbox whose engine restarted under a step answers every later command with SANDBOX_LOST (containers
  // do not come back): asked once after the step, it turns a step cut short in any way into an error instance,
  // never a verdict graded from a fragment.
  const stillThere = () => sandbox.exec(['true'], { signal });
  if (!applied) {
    await stillThere();
    // The run stops here; the log carries the marker, so grading gives patch_successfully_applied: false.
    rec.log(`${MARKERS.APPLY_PATCH_FAIL}:\n`);
    return gradedOutcome(input, rec, `${MARKERS.APPLY_PATCH_FAIL}\n`, undefined);
  }
  const tests = await runTests(input, rec, stillThere);
  if (tests.timedOut) return timedOutOutcome(input, rec, tests.output);
  if (tests.xml) rec.files['junit.xml'] = tests.xml;
  return gradedOutcome(input, rec, tests.output, { exitCode: tests.exitCode, junit: tests.junit });
}
