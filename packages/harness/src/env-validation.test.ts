import { readdir } from 'node:fs/promises';
import type { ExecOptions, FileInput, Sandbox, SandboxPool } from '@repoforge/sandbox';
import type { Instance } from '@repoforge/schema';
import { EnvSpec } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import type { EnvImages } from './env-images.js';
import { EnvValidations } from './env-validation.js';
import { LOG_FILES } from './paths.js';
import { evaluateTask, type InstanceTask } from './task.js';

const GOLD = 'diff --git a/lib.py b/lib.py\n+fixed\n';
const MODEL = 'diff --git a/lib.py b/lib.py\n+broken\n';
const instance: Instance = {
  repo: 'acme/lib',
  instance_id: 'acme__lib-1',
  base_commit: 'a'.repeat(40),
  patch: GOLD,
  test_patch: 'diff --git a/t.py b/t.py\n',
  problem_statement: '',
  hints_text: '',
  created_at: '',
  version: '1',
  FAIL_TO_PASS: ['t.py::fixed'],
  PASS_TO_PASS: ['t.py::old'],
};

const log = (body: string) => `>>>>> Start Test Output\n${body}\n>>>>> End Test Output\n`;
const PASSING = log('PASSED t.py::fixed\nPASSED t.py::old');
const NOTHING_RAN = log("E   ModuleNotFoundError: No module named 'lib'\n1 error in 0.1s");

/** A sandbox whose test run prints what `logOf(patch)` says; counts the test runs. */
function fakeKit(logOf: (patch: string) => string) {
  let runs = 0;
  const sandbox = (): Sandbox => {
    let patch = '';
    return {
      id: 'fake-sandbox',
      backend: 'fake',
      async writeFiles(files: readonly FileInput[]) {
        patch = String(files.find((f) => f.path === '/tmp/patch.diff')?.content ?? '');
      },
      async exec(cmd: readonly string[], options: ExecOptions = {}) {
        const tests = cmd.join(' ').includes('/eval.sh');
        if (tests) runs++;
        const out = tests ? logOf(patch) : '';
        options.onStdout?.(Buffer.from(out));
        return {
          exitCode: 0,
          stdout: '',
          stderr: '',
          truncated: false,
          timedOut: false,
          oomKilled: false,
          durationMs: 1,
        };
      },
    } as unknown as Sandbox;
  };
  const pool = {
    acquire: async () => ({ sandbox: sandbox(), release: async () => {} }),
  } as unknown as SandboxPool;
  const envImages = { imageFor: async () => 'env:1' } as unknown as EnvImages;
  return { pool, envImages, runs: () => runs };
}

const task = (patch: string, extra: Partial<InstanceTask> = {}): InstanceTask => ({
  runId: 'r',
  instance,
  prediction: { instance_id: instance.instance_id, model_name_or_path: 'm', model_patch: patch },
  spec: EnvSpec.parse({ image: 'env:1', test_cmd: 'pytest {tests}' }),
  parser: 'parse_log_pytest',
  timeoutMs: 60_000,
  repeat: 1,
  gradeMode: 'strict',
  // An own eval script: no repo to pack, the fake sandbox prints the log.
  ownEvalScript: 'run the tests',
  ...extra,
});

async function evaluate(kit: ReturnType<typeof fakeKit>, t: InstanceTask, validations?: EnvValidations) {
  return evaluateTask(t, {
    repoSource: { resolve: () => Promise.reject(new Error('unused')) },
    envImages: kit.envImages,
    pool: kit.pool,
    validations,
  });
}

describe('no verdict from an environment that cannot run the tests', () => {
  it('a gold patch whose log shows no test is an env_broken error that names why, with no report', async () => {
    const kit = fakeKit(() => NOTHING_RAN);
    const o = await evaluate(kit, task(GOLD));
    expect(o.status).toBe('error');
    expect(o.errorClass).toBe('env_broken');
    expect(o.error).toContain("No module named 'lib'");
    expect(o.files[LOG_FILES.report]).toBeUndefined();
    expect(o.files[LOG_FILES.testOutput]).toContain('ModuleNotFoundError');
  });

  it('expected tests missing is tests_not_found, unless the threshold allows it', async () => {
    const kit = fakeKit(() => log('PASSED t.py::fixed'));
    expect((await evaluate(kit, task(GOLD))).errorClass).toBe('tests_not_found');
    const lenient = await evaluate(kit, task(GOLD, { minTestsSeen: 0.5 }));
    expect(lenient.status).toBe('completed');
    expect(lenient.report?.resolved).toBe(false);
  });

  it('a model patch that breaks collection stays unresolved once gold is seen to run here (validated once)', async () => {
    await using dir = await tempDir();
    const validations = new EnvValidations(dir.path);
    const kit = fakeKit((patch) => (patch === GOLD ? PASSING : NOTHING_RAN));
    const o = await evaluate(kit, task(MODEL), validations);
    expect(o.status).toBe('completed');
    expect(o.report?.resolved).toBe(false);
    expect(kit.runs()).toBe(2);
    expect(await validations.get('env:1', instance.instance_id)).toMatchObject({ resolved: true });
    await evaluate(kit, task(MODEL), validations);
    expect(kit.runs()).toBe(3); // the validation is kept: gold did not run again
  });

  it('a model patch in an environment where gold fails too is an error naming both', async () => {
    await using dir = await tempDir();
    const kit = fakeKit(() => NOTHING_RAN);
    const o = await evaluate(kit, task(MODEL), new EnvValidations(dir.path));
    expect(o.errorClass).toBe('env_broken');
    expect(o.error).toMatch(/gold patch does not resolve in env:1 either/);
  });

  it('--validate-envs: an environment where gold fails makes the instance unservable before any verdict', async () => {
    await using dir = await tempDir();
    const validations = new EnvValidations(dir.path);
    // Tests run and are all seen, but the fixed test fails with gold too: only validation can tell.
    const kit = fakeKit(() => log('FAILED t.py::fixed\nPASSED t.py::old'));
    const o = await evaluate(kit, task(MODEL, { validateEnvs: true }), validations);
    expect(o.errorClass).toBe('unservable');
    expect(o.error).toMatch(/does not pass the gold patch.*t\.py::fixed/);
    expect(kit.runs()).toBe(1);
    await evaluate(kit, task(MODEL, { validateEnvs: true }), validations);
    expect(kit.runs()).toBe(1);
    expect(await readdir(dir.path)).toHaveLength(1);
  });

  it('--validate-envs with the gold prediction runs gold once and grades that run', async () => {
    await using dir = await tempDir();
    const kit = fakeKit(() => PASSING);
    const o = await evaluate(kit, task(GOLD, { validateEnvs: true }), new EnvValidations(dir.path));
    expect(o.report?.resolved).toBe(true);
    expect(kit.runs()).toBe(1);
  });

  it('an unmet requirement is unservable, whatever the patch', async () => {
    await using dir = await tempDir();
    const kit = fakeKit(() => '>>>>> Unmet requirement: needs astroid>=3.0.0 (installed 2.14.2)\n');
    const o = await evaluate(kit, task(MODEL), new EnvValidations(dir.path));
    expect(o.errorClass).toBe('unservable');
    expect(o.error).toContain('needs astroid>=3.0.0 (installed 2.14.2)');
    expect(kit.runs()).toBe(1);
  });
});
