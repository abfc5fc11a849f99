import { formatInstanceReportFile, type Instance } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { type EvaluationOptions, type Executor, LOG_FILES, runEvaluation } from './index.js';

const instance: Instance = {
  repo: 'acme/lib',
  instance_id: 'acme__lib-1',
  base_commit: 'a'.repeat(40),
  patch: 'diff --git a/x b/x\n',
  test_patch: 'diff --git a/t.py b/t.py\n',
  problem_statement: '',
  hints_text: '',
  created_at: '',
  version: '1',
  FAIL_TO_PASS: ['t.py::a'],
  PASS_TO_PASS: [],
};

/** An executor that "runs" each task by recording its spec (no Docker): what resuming decides is under test. */
function recordingExecutor(ran: string[], testsSeen?: { expected: number; seen: number }): Executor {
  return {
    async run(tasks, _work, { onOutcome }) {
      for (const task of tasks) {
        ran.push(task.spec.test_cmd);
        const report = {
          patch_is_None: false,
          patch_exists: true,
          patch_successfully_applied: true,
          resolved: true,
        };
        await onOutcome(task, {
          instance_id: task.instance.instance_id,
          status: 'completed',
          report,
          testsSeen,
          timings: {},
          files: { [LOG_FILES.report]: formatInstanceReportFile(task.instance.instance_id, report) },
        });
      }
    },
  };
}

describe('resuming a run id', () => {
  it('reuses results from the same environment and reruns those from another, saying so', async () => {
    await using dir = await tempDir();
    const ran: string[] = [];
    const warnings: string[] = [];
    const options = (test_cmd: string): EvaluationOptions => ({
      dataset: [instance],
      predictions: 'gold',
      runId: 'r1',
      reportDir: dir.path,
      envSpecs: {
        'acme/lib': { '*': { image: 'img', test_cmd, install: [], install_key_files: [], pre_test: [] } },
      },
      repoSource: { resolve: () => Promise.reject(new Error('unused')) },
      executor: recordingExecutor(ran),
      parser: 'parse_log_pytest',
      logger: { info() {}, debug() {}, warn: (m: string) => warnings.push(m) },
    });
    await runEvaluation(options('pytest {tests}'));
    const same = await runEvaluation(options('pytest {tests}'));
    expect(same.resumed).toEqual(['acme__lib-1']);
    expect(ran).toEqual(['pytest {tests}']);
    const changed = await runEvaluation(options('pytest -x {tests}'));
    expect(changed.resumed).toEqual([]);
    expect(ran).toEqual(['pytest {tests}', 'pytest -x {tests}']);
    expect(warnings.join('\n')).toMatch(
      /rerunning acme__lib-1: it ran in env-spec \(\w+\), this run uses env-spec \(\w+\)/,
    );
  });
});

describe('a planned environment', () => {
  it('records how the ladder obtained it beside the report', async () => {
    await using dir = await tempDir();
    const attempts = [
      {
        rung: 'as planned',
        specHash: 'h1',
        outcome: 'unknown_flag',
        detail: "error: unknown option '--no-color'",
        ms: 900,
      },
      { rung: 'drop --no-color', specHash: 'h2', outcome: 'ok', detail: '12 tests ran', ms: 800 },
    ];
    await runEvaluation({
      dataset: [instance],
      predictions: 'gold',
      runId: 'r1',
      reportDir: dir.path,
      envSpecs: {},
      resolveEnv: async () => ({ spec: { image: 'img', test_cmd: 'mocha {tests}' }, attempts }),
      repoSource: { resolve: () => Promise.reject(new Error('unused')) },
      executor: recordingExecutor([]),
      parser: 'parse_log_pytest',
    });
    const { readFile } = await import('node:fs/promises');
    const { instanceLogDir } = await import('./paths.js');
    const saved = JSON.parse(
      await readFile(
        `${instanceLogDir(dir.path, 'r1', 'gold', instance.instance_id)}/${LOG_FILES.environment}`,
        'utf8',
      ),
    );
    expect(saved).toEqual({
      source: 'planned',
      detail: 'planned from the repo',
      attempts: attempts.map(({ specHash: _, ...a }) => a),
    });
  });
});

describe('Multi-SWE-bench rows', () => {
  it('get their version from package.json at the base commit, so env specs can differ per version', async () => {
    const { makeGitRepo } = await import('@repoforge/test-utils');
    const { join } = await import('node:path');
    const { RepoCache } = await import('./index.js');
    await using dir = await tempDir();
    const [base] = await makeGitRepo(join(dir.path, 'acme', 'lib'), [
      { message: 'v4', files: { 'package.json': JSON.stringify({ name: 'lib', version: '4.17.1' }) } },
    ]);
    const ran: string[] = [];
    const spec = (test_cmd: string) => ({
      image: 'img',
      test_cmd,
      install: [],
      install_key_files: [],
      pre_test: [],
    });
    await runEvaluation({
      dataset: [{ ...instance, base_commit: base!, version: '', origin: 'multi-swe-bench' }],
      predictions: 'gold',
      runId: 'v',
      reportDir: dir.path,
      envSpecs: { 'acme/lib': { '4.17.1': spec('mocha v4'), '*': spec('mocha other') } },
      repoSource: new RepoCache({ cacheDir: dir.path, clone: false }),
      executor: recordingExecutor(ran),
      parser: 'parse_log_mocha',
    });
    expect(ran).toEqual(['mocha v4']);
  });
});

describe('expected tests not seen', () => {
  it('are a warning and a field of the result, not a silent verdict', async () => {
    await using dir = await tempDir();
    const warnings: string[] = [];
    const result = await runEvaluation({
      dataset: [instance],
      predictions: 'gold',
      runId: 'seen',
      reportDir: dir.path,
      envSpecs: {
        'acme/lib': {
          '*': { image: 'img', test_cmd: 't', install: [], install_key_files: [], pre_test: [] },
        },
      },
      repoSource: { resolve: () => Promise.reject(new Error('unused')) },
      executor: recordingExecutor([], { expected: 98, seen: 0 }),
      parser: 'parse_log_jest',
      logger: { info() {}, debug() {}, warn: (m: string) => warnings.push(m) },
    });
    expect(result.unseenTests).toEqual({ 'acme__lib-1': { expected: 98, seen: 0 } });
    expect(warnings.join('\n')).toMatch(
      /acme__lib-1: 0 of 98 expected tests were seen in the log \(see tests_seen.json\)/,
    );
  });
});

describe('two evaluations of one run id at once', () => {
  it('the second refuses with RUN_LOCKED while the first runs; once it ends, the run id is free again', async () => {
    await using dir = await tempDir();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    const slow: Executor = {
      async run() {
        started();
        await held;
      },
    };
    const options = (executor: Executor): EvaluationOptions => ({
      dataset: [instance],
      predictions: 'gold',
      runId: 'same',
      reportDir: dir.path,
      envSpecs: {
        'acme/lib': {
          '*': { image: 'img', test_cmd: 'pytest', install: [], install_key_files: [], pre_test: [] },
        },
      },
      repoSource: { resolve: () => Promise.reject(new Error('unused')) },
      executor,
      parser: 'parse_log_pytest',
    });
    const first = runEvaluation(options(slow));
    await running;
    await expect(runEvaluation(options(recordingExecutor([])))).rejects.toMatchObject({
      code: 'RUN_LOCKED',
      kind: 'input',
    });
    release();
    await first;
    const ran: string[] = [];
    await runEvaluation(options(recordingExecutor(ran)));
    expect(ran).toEqual(['pytest']);
  });
});
