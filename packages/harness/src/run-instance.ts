import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatInstanceReportFile,
  type Instance,
  type InstanceReport,
  type Prediction,
  type TestStatusMap,
} from '@repoforge/schema';
import { writeFileAtomic } from '@repoforge/schema/node';
import type { FileInput, Sandbox } from '@repoforge/sandbox';
import type { EnvSpec } from './env-spec.js';
import { makeEvalScript } from './eval-script.js';
import { gradeLog, MARKERS } from './grading.js';
import { HarnessError } from './errors.js';
import { parseJUnitXml, pytestJUnitName } from './parsers/junit.js';
import { FAIL_ONLY_REPOS } from './parsers/registry.js';
import { LOG_FILES } from './paths.js';
import { materializeScript, packCommitTree, type RepoLocation } from './repo-source.js';

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
    materialize
      ? `( ${materializeScript(REPO_DIR, PACK_PATH, baseCommit).replaceAll('\n', '\n  ')}\n) || exit ${EXIT_MATERIALIZE_FAILED}`
      : `git config --global --add safe.directory ${REPO_DIR} 2>/dev/null; true`,
    `cd ${REPO_DIR}`,
    `for c in "git apply --verbose ${PATCH_PATH}" "git apply --verbose --reject ${PATCH_PATH}" "patch --batch --fuzz=5 -p1 -i ${PATCH_PATH}"; do`,
    '  echo ">>>>> Trying: $c"',
    '  $c 2>&1; rc=$?',
    '  [ $rc -eq 0 ] && exit 0',
    '  case "$c" in *--reject*) git checkout -q -f . && git clean -fdq;; esac',
    'done',
    `exit ${EXIT_APPLY_FAILED}`,
  ].join('\n');
}

/** What happened to one instance. */
export interface InstanceOutcome {
  instance_id: string;
  /** `completed` has a report.json; `error` does not (timeout, env failure, crash), as in SWE-bench. */
  status: 'completed' | 'error';
  report?: InstanceReport;
  statusMap?: TestStatusMap;
  error?: string;
  exitCode?: number;
  timedOut?: boolean;
  hardened?: string;
  /** Tests whose status differed between repeated runs (with `repeat` > 1). */
  flaky?: string[];
  timings: Record<string, number>;
}

export interface RunInstanceInput {
  instance: Instance;
  prediction: Prediction;
  spec: EnvSpec;
  parser: string;
  location: RepoLocation;
  sandbox: Sandbox;
  logDir: string;
  timeoutMs: number;
  gradeMode?: 'strict' | 'legacy';
  /**
   * The instance's own eval script, run in its own image (SWE-bench images hold the repo at /testbed
   * already): no checkout from the cache, the script as given.
   */
  ownEvalScript?: string;
  signal?: AbortSignal;
}

function stamp(): string {
  return new Date().toISOString();
}

/**
 * Evaluates one prediction in a fresh sandbox: repo at base_commit, patch applied SWE-bench's way, the eval
 * script run with a timeout, the log graded; every file written atomically into `logDir`.
 */
export async function runInstance(input: RunInstanceInput): Promise<InstanceOutcome> {
  const { instance, prediction, sandbox, logDir, signal } = input;
  const id = instance.instance_id;
  const timings: Record<string, number> = {};
  const lines: string[] = [];
  const log = (m: string) => lines.push(`${stamp()} - ${m}`);
  const flushLog = () => writeFileAtomic(join(logDir, LOG_FILES.instanceLog), `${lines.join('\n')}\n`);
  const t0 = performance.now();
  const lap = (name: string, since: number) => {
    timings[name] = Math.round(performance.now() - since);
    return performance.now();
  };
  const patch = prediction.model_patch ?? '';
  await writeFileAtomic(join(logDir, LOG_FILES.patch), patch);
  log(`Evaluating ${id} in ${sandbox.backend} sandbox ${sandbox.id.slice(0, 12)}`);

  let t = performance.now();
  const own = input.ownEvalScript !== undefined;
  const script =
    input.ownEvalScript ??
    makeEvalScript({
      repoDir: REPO_DIR,
      baseCommit: instance.base_commit,
      testPatch: instance.test_patch,
      testCmd: input.spec.test_cmd,
      preTest: input.spec.pre_test,
    });
  await writeFileAtomic(join(logDir, LOG_FILES.evalScript), script);
  // Everything the sandbox needs travels in one archive, and checkout + apply run as one exec.
  const files: FileInput[] = [
    { path: PATCH_PATH, content: patch },
    { path: '/eval.sh', content: script, mode: 0o755 },
  ];
  if (!own)
    files.push({
      path: PACK_PATH,
      content: (await packCommitTree(input.location, instance.base_commit)).packfile,
      mode: 0o644,
    });
  await sandbox.writeFiles(files, { signal });
  const prep = await sandbox.exec(['/bin/sh', '-c', prepareScript(instance.base_commit, !own)], {
    timeoutMs: 600_000,
    signal,
    user: '0',
  });
  t = lap('prepare_ms', t);
  if (prep.exitCode !== 0 && prep.exitCode !== EXIT_APPLY_FAILED) {
    throw new HarnessError(
      'MATERIALIZE_FAILED',
      `could not check out ${instance.base_commit}: ${(prep.stderr || prep.stdout).trim().slice(-500)}`,
    );
  }
  const applied = prep.exitCode === 0;
  log(
    `${applied ? MARKERS.APPLY_PATCH_PASS : 'Failed to apply patch to container'}:\n${prep.stdout}${prep.stderr}`,
  );
  if (!applied) {
    // The run stops here; the log carries the marker, so grading gives patch_successfully_applied: false.
    log(`${MARKERS.APPLY_PATCH_FAIL}:\n`);
    const testOutput = `${MARKERS.APPLY_PATCH_FAIL}\n`;
    await writeFileAtomic(join(logDir, LOG_FILES.testOutput), testOutput);
    return finish(input, testOutput, undefined, timings, t0, log, flushLog);
  }

  let output = '';
  const append = (c: Uint8Array) => {
    output += Buffer.from(c).toString('utf8');
  };
  const r = await sandbox.exec(['/bin/bash', '/eval.sh'], {
    timeoutMs: input.timeoutMs,
    onStdout: append,
    onStderr: append,
    maxOutputBytes: 64 * 1024 * 1024,
    signal,
  });
  t = lap('tests_ms', t);
  if (r.timedOut) {
    output += `\n\nTimeout error: ${Math.round(input.timeoutMs / 1000)} seconds exceeded.`;
    await writeFileAtomic(join(logDir, LOG_FILES.testOutput), output);
    log(`Test timed out after ${Math.round(input.timeoutMs / 1000)} seconds.`);
    timings.total_ms = Math.round(performance.now() - t0);
    await flushLog();
    return { instance_id: id, status: 'error', error: 'timeout', timedOut: true, exitCode: 124, timings };
  }
  await writeFileAtomic(join(logDir, LOG_FILES.testOutput), output);
  let junit: TestStatusMap | undefined;
  if (input.spec.junit_xml) {
    const xml = await sandbox.readFile(input.spec.junit_xml).catch(() => undefined);
    if (xml) {
      const text = Buffer.from(xml).toString('utf8');
      await writeFile(join(logDir, 'junit.xml'), text);
      junit = parseJUnitXml(text, pytestJUnitName);
    }
  }
  return finish(input, output, { exitCode: r.exitCode, junit }, timings, t0, log, flushLog);
}

async function finish(
  input: RunInstanceInput,
  testOutput: string,
  run: { exitCode: number; junit?: TestStatusMap } | undefined,
  timings: Record<string, number>,
  t0: number,
  log: (m: string) => void,
  flushLog: () => Promise<void>,
): Promise<InstanceOutcome> {
  const { instance, prediction, logDir } = input;
  const graded = gradeLog({
    instance,
    modelPatch: prediction.model_patch,
    log: testOutput,
    parser: input.parser,
    options: {
      mode: input.gradeMode,
      failOnly: FAIL_ONLY_REPOS.has(instance.repo),
      exitCode: run?.exitCode,
      structured: run?.junit,
    },
  });
  if (graded.hardened) log(`Not resolved (strict grading): ${graded.hardened}`);
  log(`report: ${JSON.stringify(graded.report)}`);
  timings.total_ms = Math.round(performance.now() - t0);
  await writeFileAtomic(join(logDir, LOG_FILES.statuses), JSON.stringify(graded.statusMap, null, 2));
  await writeFileAtomic(join(logDir, LOG_FILES.timings), JSON.stringify(timings));
  await flushLog();
  // report.json last: its presence means the instance is done (resume relies on it).
  await writeFileAtomic(
    join(logDir, LOG_FILES.report),
    formatInstanceReportFile(instance.instance_id, graded.report),
  );
  return {
    instance_id: instance.instance_id,
    status: 'completed',
    report: graded.report,
    statusMap: graded.statusMap,
    exitCode: run?.exitCode,
    hardened: graded.hardened,
    timings,
  };
}
