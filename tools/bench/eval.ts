/**
 * Evaluation benchmark: N instances of one repo through our harness (shared env image, warm sandbox pool,
 * repo materialized from the git cache, 2 workers) vs a naive SWE-bench-style flow in the same run (an image
 * built per instance with the repo baked in, then `docker run` per instance, sequentially).
 *   npx tsx --conditions=@repoforge/source tools/bench/eval.ts [--instances 10]
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { envSpecOf, LocalEnvBuilder, planEnv, snapshotFromGit } from '@repoforge/deps';
import { EnvImages, makeEvalScript, RepoCache, runEvaluation } from '@repoforge/harness';
import { createSandbox, LocalBackend } from '@repoforge/sandbox';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpec, EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, sampleEnvSpecs, tempDir } from '@repoforge/test-utils';
import { summarize, time } from './stats.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { instances: { type: 'string', default: '10' }, workers: { type: 'string', default: '2' } },
});
const N = Number(values.instances);

await using root = await tempDir('repoforge-bench-eval-');
const repos = join(root.path, 'repos');
const { instance } = await makePythonSample(repos);
const dataset = Array.from({ length: N }, (_, i) =>
  Instance.parse({ ...instance, instance_id: `acme__calc-${i + 1}` }),
);
const envSpecs = EnvSpecMap.parse(sampleEnvSpecs(DEFAULT_IMAGE));
const spec = envSpecs['acme/calc']!['*']!;
const repoSource = new RepoCache({ cacheDir: repos, clone: false });
const make = (o: Parameters<typeof createSandbox>[0]) => createSandbox({ backend: 'docker', ...o });
const envImage = await new EnvImages({ createSandbox: make }).imageFor(
  spec,
  instance,
  await repoSource.resolve('acme/calc'),
);

// The test command's own time, measured in a live sandbox (what no harness can save).
const testTimes: number[] = [];
{
  await using sb = await make({ image: envImage });
  const { materializeRepo } = await import('@repoforge/harness');
  await materializeRepo(sb, await repoSource.resolve('acme/calc'), instance.base_commit, '/testbed');
  for (let i = 0; i < 5; i++)
    testTimes.push(await time(() => sb.exec(['/bin/sh', '-c', spec.test_cmd], { cwd: '/testbed' })));
}

const oursMs = await time(async () => {
  const r = await runEvaluation({
    dataset,
    predictions: 'gold',
    runId: 'bench',
    reportDir: join(root.path, 'ours'),
    envSpecs,
    repoSource,
    maxWorkers: Number(values.workers),
  });
  if (r.summary.resolved_instances !== N)
    throw new Error(`ours resolved ${r.summary.resolved_instances}/${N}`);
});

// The same run on the local backend (bubblewrap; environment planned from the repo as a directory, the host's
// python3 + pytest): its own figure, not compared with the Docker flows (different isolation).
const local = new LocalBackend();
let localMs: number | undefined;
if (await local.isolated()) {
  const envs = new LocalEnvBuilder({ cacheDir: join(root.path, 'local-envs') });
  const loc = await repoSource.resolve('acme/calc');
  const plan = await planEnv(await snapshotFromGit({ gitdir: loc.gitdir, oid: instance.base_commit }));
  const localSpec = envSpecOf(plan, (await envs.ensure(plan)).image);
  localMs = await time(async () => {
    const r = await runEvaluation({
      dataset,
      predictions: 'gold',
      runId: 'bench-local',
      reportDir: join(root.path, 'local'),
      envSpecs: { 'acme/calc': { '*': EnvSpec.parse(localSpec) } },
      repoSource,
      createSandbox: (o) => local.create(o),
      maxWorkers: Number(values.workers),
    });
    if (r.summary.resolved_instances !== N)
      throw new Error(`local backend resolved ${r.summary.resolved_instances}/${N}`);
  });
}

// Naive flow: per instance, an image with the repo baked in, then docker run, then remove the image.
const naiveMs = await time(async () => {
  for (const inst of dataset) {
    const ctx = join(root.path, 'naive', inst.instance_id);
    await mkdir(ctx, { recursive: true });
    await run('git', ['clone', '-q', join(repos, 'acme', 'calc'), join(ctx, 'testbed')]);
    await run('git', ['-C', join(ctx, 'testbed'), 'checkout', '-q', inst.base_commit]);
    await writeFile(join(ctx, 'patch.diff'), inst.patch);
    await writeFile(
      join(ctx, 'eval.sh'),
      makeEvalScript({
        repoDir: '/testbed',
        baseCommit: inst.base_commit,
        testPatch: inst.test_patch,
        testCmd: spec.test_cmd,
      }),
    );
    const tag = `repoforge/bench-naive:${inst.instance_id.toLowerCase()}`;
    await writeFile(
      join(ctx, 'Dockerfile'),
      `FROM ${envImage}\nCOPY testbed /testbed\nCOPY patch.diff eval.sh /\nRUN cd /testbed && git apply /patch.diff\n`,
    );
    await run('docker', ['build', '-q', '--network', 'host', '-t', tag, ctx]);
    const { stdout } = await run('docker', ['run', '--rm', '--network', 'none', tag, 'bash', '/eval.sh'], {
      maxBuffer: 64 << 20,
    }).catch((e) => e);
    if (!String(stdout).includes('passed')) throw new Error('naive flow: tests did not run');
    await run('docker', ['rmi', '-f', tag]);
    await rm(ctx, { recursive: true, force: true });
  }
});

const t = summarize(testTimes);
console.log(
  JSON.stringify(
    {
      benchmark: 'eval',
      instances: N,
      workers: Number(values.workers),
      ours_wall_ms: Math.round(oursMs),
      naive_wall_ms: Math.round(naiveMs),
      speedup_vs_naive: Math.round((naiveMs / oursMs) * 100) / 100,
      test_command_ms: t,
      ours_per_instance_ms: Math.round(oursMs / N),
      ours_overhead_per_instance_ms: Math.round(oursMs / N - t.median_ms),
      naive_per_instance_ms: Math.round(naiveMs / N),
      local_backend:
        localMs === undefined
          ? 'skipped: bubblewrap does not work here'
          : { wall_ms: Math.round(localMs), per_instance_ms: Math.round(localMs / N) },
      goals: {
        speedup_at_least_3x: naiveMs / oursMs >= 3,
        overhead_under_500ms: oursMs / N - t.median_ms < 500,
      },
    },
    null,
    2,
  ),
);
