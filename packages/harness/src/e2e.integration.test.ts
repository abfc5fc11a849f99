import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSpecMap, Instance, type Prediction } from '@repoforge/schema';
import {
  baseImage,
  makeNodeSample,
  makePythonSample,
  sampleEnvSpecs,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvProvenance, instanceLogDir, RepoCache, runEvaluation } from './index.js';

const skip = await skipWithoutDocker();

describe.skipIf(skip)('end to end on real Docker', () => {
  let root: { path: string } & AsyncDisposable;
  let py: Awaited<ReturnType<typeof makePythonSample>>;
  let node: Awaited<ReturnType<typeof makeNodeSample>>;
  const envSpecs = EnvSpecMap.parse(sampleEnvSpecs(baseImage));
  beforeAll(async () => {
    root = await tempDir('repoforge-e2e-');
    py = await makePythonSample(join(root.path, 'repos'));
    node = await makeNodeSample(join(root.path, 'repos'));
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });
  const repoSource = () => new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false });
  const model = (id: string, patch: string | null, name = 'm'): Prediction => ({
    instance_id: id,
    model_name_or_path: name,
    model_patch: patch,
  });

  it('gold resolves for a Python (pytest) and a Node (npm deps, mocha) repo', async () => {
    const reportDir = join(root.path, 'reports');
    const events: string[] = [];
    const result = await runEvaluation({
      dataset: [py.instance, node.instance],
      predictions: 'gold',
      runId: 'gold-run',
      reportDir,
      envSpecs,
      repoSource: repoSource(),
      maxWorkers: 2,
      onProgress: (e) => events.push(e.type === 'working' ? e.what : e.type),
    });
    expect(result.summary).toMatchObject({
      total_instances: 2,
      completed_instances: 2,
      resolved_instances: 2,
      error_instances: 0,
    });
    expect(result.summary.resolved_ids).toEqual(['acme__calc-1', 'acme__doubler-1']);
    const dir = instanceLogDir(reportDir, 'gold-run', 'gold', 'acme__doubler-1');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(report['acme__doubler-1'].tests_status.FAIL_TO_PASS.success).toEqual(['double doubles numbers']);
    const log = await readFile(join(dir, 'test_output.txt'), 'utf8');
    expect(log).toContain('>>>>> Start Test Output');
    expect(log).toMatch(/2 passing/);
    expect(await readFile(join(dir, 'eval.sh'), 'utf8')).toContain('npx mocha');
    // What ran the tests is recorded: in the instance log and beside the result, with the image.
    const env = EnvProvenance.parse(JSON.parse(await readFile(join(dir, 'environment.json'), 'utf8')));
    expect(env.runtime?.versions.node).toMatch(/^\d+\.\d+\.\d+$/);
    expect(env.runtime?.image).toBeTruthy();
    expect(env.runtime?.image_id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await readFile(join(dir, 'run_instance.log'), 'utf8')).toContain(
      `Runtime: node ${env.runtime?.versions.node}`,
    );
    expect(events.filter((e) => e === 'start' || e === 'done')).toEqual(['start', 'done', 'done']);
    // Long stages say so as they begin (the CLI turns these into lines at least every 30 s).
    expect(events.filter((e) => e === 'obtaining its environment')).toHaveLength(2);
    expect(events.filter((e) => e === 'running its tests')).toHaveLength(2);
    const summaryText = await readFile(result.summaryFile, 'utf8');
    expect(result.summaryFile.endsWith('gold.gold-run.json')).toBe(true);
    expect(JSON.parse(summaryText).schema_version).toBe(2);

    // Re-running the same run id finishes nothing twice.
    const again = await runEvaluation({
      dataset: [py.instance, node.instance],
      predictions: 'gold',
      runId: 'gold-run',
      reportDir,
      envSpecs,
      repoSource: repoSource(),
    });
    expect(again.resumed.sort()).toEqual(['acme__calc-1', 'acme__doubler-1']);
    expect(again.outcomes).toEqual([]);
    expect(again.summary).toEqual(result.summary);
  });

  it('empty, wrong, malformed and hanging patches get SWE-bench verdicts; history after base is unreachable', async () => {
    const reportDir = join(root.path, 'reports-bad');
    const variants: [string, string | null][] = [
      ['empty', ''],
      ['wrong', py.wrongPatch],
      [
        'malformed',
        'diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n-no such line\n+x\n',
      ],
      ['hang', py.hangPatch],
    ];
    const dataset = variants.map(([v]) => Instance.parse({ ...py.instance, instance_id: `acme__calc-${v}` }));
    // The hanging one gets a short timeout through its own env spec version.
    dataset[3]!.version = 'hang';
    const specs = {
      ...envSpecs,
      'acme/calc': { ...envSpecs['acme/calc']!, hang: { ...envSpecs['acme/calc']!['*']!, timeout: 8 } },
    };
    const predictions = variants.map(([v, patch]) => model(`acme__calc-${v}`, patch));
    predictions.push(model('acme__calc-unknown', 'diff'));
    const r = await runEvaluation({
      dataset,
      predictions,
      runId: 'bad',
      reportDir,
      envSpecs: specs,
      repoSource: repoSource(),
      maxWorkers: 2,
    });
    expect(r.unknownPredictionIds).toEqual(['acme__calc-unknown']);
    expect(r.summary.empty_patch_ids).toEqual(['acme__calc-empty']);
    expect(r.summary.unresolved_ids).toEqual(['acme__calc-malformed', 'acme__calc-wrong']);
    expect(r.summary.error_ids).toEqual(['acme__calc-hang']);
    const read = async (id: string, file: string) =>
      readFile(join(instanceLogDir(reportDir, 'bad', 'm', id), file), 'utf8');
    const malformed = JSON.parse(await read('acme__calc-malformed', 'report.json'))['acme__calc-malformed'];
    expect(malformed).toEqual({
      patch_is_None: false,
      patch_exists: true,
      patch_successfully_applied: false,
      resolved: false,
    });
    const wrong = JSON.parse(await read('acme__calc-wrong', 'report.json'))['acme__calc-wrong'];
    expect(wrong.tests_status.FAIL_TO_PASS.failure).toEqual(['tests/test_calc.py::test_add']);
    expect(wrong.tests_status.PASS_TO_PASS.success).toEqual(['tests/test_calc.py::test_sub']);
    expect(await read('acme__calc-hang', 'test_output.txt')).toMatch(/Timeout error: 8 seconds exceeded\./);
    const outcome = r.outcomes.find((o) => o.instance_id === 'acme__calc-hang')!;
    expect(outcome).toMatchObject({ status: 'error', timedOut: true });
  });

  it('rewrites reports from saved logs, and repeats runs to find flaky tests', async () => {
    const reportDir = join(root.path, 'reports-repeat');
    const base = { dataset: [py.instance], runId: 'rep', reportDir, envSpecs, repoSource: repoSource() };
    const first = await runEvaluation({ ...base, predictions: 'gold', repeat: 2 });
    expect(first.flaky).toEqual({ 'acme__calc-1': [] });
    expect(first.summary.resolved_ids).toEqual(['acme__calc-1']);
    const dir = instanceLogDir(reportDir, 'rep', 'gold', 'acme__calc-1');
    expect(JSON.parse(await readFile(join(dir, 'flaky_tests.json'), 'utf8'))).toEqual({ runs: 2, flaky: [] });
    expect(await readFile(join(dir, 'repeat-2', 'test_output.txt'), 'utf8')).toContain('passed');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'report.json'), '');
    const regraded = await runEvaluation({ ...base, predictions: 'gold', rewriteReports: true });
    expect(regraded.outcomes.map((o) => o.status)).toEqual(['completed']);
    expect(regraded.summary).toEqual(first.summary);
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toContain('"resolved": true');
  });

  it("runs an instance's own image and eval_script when asked (SWE-bench-style images)", async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { writeFile } = await import('node:fs/promises');
    const { EnvImages, makeEvalScript } = await import('./index.js');
    const { createSandbox } = await import('@repoforge/sandbox');
    const run = promisify(execFile);
    const spec = envSpecs['acme/calc']!['*']!;
    const env = await new EnvImages({
      createSandbox: (o) => createSandbox({ backend: 'docker', ...o }),
    }).imageFor(spec, py.instance, await repoSource().resolve('acme/calc'));
    const ctx = join(root.path, 'own-image');
    await run('git', ['clone', '-q', join(root.path, 'repos', 'acme', 'calc'), join(ctx, 'testbed')]);
    await run('git', ['-C', join(ctx, 'testbed'), 'checkout', '-q', py.instance.base_commit]);
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${env}\nCOPY testbed /testbed\n`);
    const tag = `repoforge/test-own:${process.pid}`;
    await run('docker', ['build', '-q', '-t', tag, ctx]);
    try {
      const inst = Instance.parse({
        ...py.instance,
        instance_id: 'acme__calc-own',
        log_parser: 'parse_log_pytest',
        image: tag,
        eval_script: makeEvalScript({
          repoDir: '/testbed',
          baseCommit: py.instance.base_commit,
          testPatch: py.instance.test_patch,
          testCmd: 'python3 -m pytest -rA -p no:cacheprovider tests',
        }),
      });
      const r = await runEvaluation({
        dataset: [inst],
        predictions: 'gold',
        runId: 'own',
        reportDir: join(root.path, 'reports-own'),
        envSpecs: {},
        repoSource: repoSource(),
        useInstanceImages: true,
      });
      expect(r.outcomes[0]?.error).toBeUndefined();
      expect(r.summary.resolved_ids).toEqual(['acme__calc-own']);
    } finally {
      await run('docker', ['rmi', '-f', tag]);
    }
  });

  it('the sandbox holds the base commit only: the fix commit is not reachable', async () => {
    const { createSandbox } = await import('@repoforge/sandbox');
    const { EnvImages, materializeRepo } = await import('./index.js');
    const make = (o: Parameters<typeof createSandbox>[0]) => createSandbox({ backend: 'docker', ...o });
    const location = await repoSource().resolve('acme/calc');
    const image = await new EnvImages({ createSandbox: make }).imageFor(
      envSpecs['acme/calc']!['*']!,
      py.instance,
      location,
    );
    await using sb = await make({ image });
    await materializeRepo(sb, location, py.instance.base_commit, '/testbed');
    const logAll = await sb.exec('git log --all --format=%H', { cwd: '/testbed' });
    expect(logAll.stdout.trim()).toBe(py.instance.base_commit);
    expect((await sb.exec('git status --porcelain', { cwd: '/testbed' })).stdout).toBe('');
    expect((await sb.exec(`git diff ${py.instance.base_commit}`, { cwd: '/testbed' })).exitCode).toBe(0);
    expect((await sb.exec('git cat-file -t HEAD~1', { cwd: '/testbed' })).exitCode).not.toBe(0);
  });
});
