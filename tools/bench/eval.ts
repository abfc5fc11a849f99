/**
 * Evaluation benchmark: N instances of one repo through our harness (shared env image, warm sandbox pool,
 * repo materialized from the git cache, 2 workers) vs a naive SWE-bench-style flow in the same run (an image
 * built per instance with the repo baked in, then `docker run` per instance, sequentially). Also the engine's
 * floor measured in the same run (container lifecycle, exec, archive write: wall and machine CPU), and where
 * each instance's CPU goes (test command, engine, our own code).
 *   npx tsx --conditions=@repoforge/source tools/bench/eval.ts [--instances 10]
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { envSpecOf, LocalEnvBuilder, planEnv, snapshotFromGit } from '@repoforge/deps';
import {
  EnvImages,
  evalPoolKey,
  evalSandboxCreator,
  makeEvalScript,
  RepoCache,
  runEvaluation,
} from '@repoforge/harness';
import { createSandbox, LocalBackend } from '@repoforge/sandbox';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpec, EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, sampleEnvSpecs, tempDir } from '@repoforge/test-utils';
import { summarize, time, timeWithCpu } from './stats.ts';

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
let testCpuMs = 0;
{
  await using sb = await make({ image: envImage });
  const { materializeRepo } = await import('@repoforge/harness');
  await materializeRepo(sb, await repoSource.resolve('acme/calc'), instance.base_commit, '/testbed');
  for (let i = 0; i < 5; i++) {
    const m = await timeWithCpu(() => sb.exec(['/bin/sh', '-c', spec.test_cmd], { cwd: '/testbed' }));
    testTimes.push(m.wallMs);
    testCpuMs += m.cpuMs / 5;
  }
}

/**
 * What the engine costs per instance before any of our code runs, measured here with the sandbox API on the
 * same image and options as eval: one container's create + start + remove, and one exec (an instance takes
 * three: prepare, tests, a liveness check) and one archive write. Wall and machine-wide CPU (dockerd,
 * containerd, the shim and runc included): on a CPU-bound machine the CPU is what parallel workers share.
 */
async function engineFloor() {
  const create = evalSandboxCreator(make);
  const key = evalPoolKey(envImage, true);
  const lifecycle = await timeWithCpu(async () => {
    for (let i = 0; i < 5; i++) await (await create(key)).close();
  });
  await using sb = await create(key);
  const exec = await timeWithCpu(async () => {
    for (let i = 0; i < 10; i++) await sb.exec(['true']);
  });
  const write = await timeWithCpu(async () => {
    for (let i = 0; i < 10; i++) await sb.writeFiles([{ path: '/tmp/f', content: 'x' }]);
  });
  const per = (m: { wallMs: number; cpuMs: number }, n: number) => ({
    wall_ms: Math.round(m.wallMs / n),
    cpu_ms: Math.round(m.cpuMs / n),
  });
  return {
    container_create_start_remove: per(lifecycle, 5),
    exec: per(exec, 10),
    write_files: per(write, 10),
  };
}
const floor = await engineFloor();
const EXECS_PER_INSTANCE = 3;
const engineCpuPerInstance =
  floor.container_create_start_remove.cpu_ms +
  EXECS_PER_INSTANCE * floor.exec.cpu_ms +
  floor.write_files.cpu_ms;

const ours = await timeWithCpu(async () => {
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
const oursMs = ours.wallMs;

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
// Workers run side by side only as far as there are cores: the engine's CPU per instance is shared that way.
const parallel = Math.min(Number(values.workers), cpus().length);
const engineOverhead = engineCpuPerInstance / parallel;
const overhead = oursMs / N - t.median_ms;
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
      ours_overhead_per_instance_ms: Math.round(overhead),
      engine_floor: {
        ...floor,
        execs_per_instance: EXECS_PER_INSTANCE,
        cpu_ms_per_instance: engineCpuPerInstance,
        // The engine's CPU per instance spread over the cores the workers share: overhead no harness on this
        // engine can go under while it gives each instance its own container.
        overhead_per_instance_ms: Math.round(engineOverhead),
      },
      cpu_ms_per_instance: {
        ours: Math.round(ours.cpuMs / N),
        test_command: Math.round(testCpuMs),
        engine: engineCpuPerInstance,
        ours_own: Math.round(ours.cpuMs / N - testCpuMs - engineCpuPerInstance),
      },
      ours_overhead_above_engine_floor_ms: Math.round(overhead - engineOverhead),
      naive_per_instance_ms: Math.round(naiveMs / N),
      local_backend:
        localMs === undefined
          ? 'skipped: bubblewrap does not work here'
          : { wall_ms: Math.round(localMs), per_instance_ms: Math.round(localMs / N) },
      goals: {
        speedup_at_least_3x: naiveMs / oursMs >= 3,
        overhead_under_250ms: overhead < 250,
        engine_floor_over_250ms: engineOverhead >= 250,
      },
    },
    null,
    2,
  ),
);
