/**
 * Distributed benchmark on this machine. Evaluation: throughput with 1 vs 2 queue workers for CPU-light
 * instances (their test command mostly waits), the queue's own overhead per instance (enqueue -> start, finish
 * -> report written, in ms) and the Redis memory a finished job holds. Mining: validated instances per hour of
 * the demo Python repo with 1 vs 2 `runMineWorker` workers, against a one-process run of the same repo (the
 * environment built beforehand, outside the figures). Environment builds avoided: a worker that builds and pushes
 * to the loopback registry, then one on an engine without those images, which pulls them (tools/setup-registry.sh).
 * Needs Redis (tools/setup-redis.sh) and Docker.
 *   npx tsx --conditions=@repoforge/source tools/bench/distributed.ts [--instances 8] [--fixes 3]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mineRepository, runMineWorker } from '@repoforge/datagen';
import { createDemoRepos } from '@repoforge/datagen/demo';
import { jobIdFor, QueueExecutor, RepoCache, runEvaluation, runQueueWorker } from '@repoforge/harness';
import { queuedSamples, RolloutEngine, runRolloutWorker } from '@repoforge/rl-scaffold';
import { type ImageOps, lazyImageBuilder, registryUsage, type ShareStats } from '@repoforge/sandbox';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, redisUrl, sampleEnvSpecs, tempDir } from '@repoforge/test-utils';
import { Queue } from 'bullmq';
import {
  longTailDurations,
  placeholderInstances,
  simulatedSample,
  trainerFigures,
  trainOn,
} from './rollout-sim.ts';
import { summarize } from './stats.ts';

const { values } = parseArgs({
  options: { instances: { type: 'string', default: '8' }, fixes: { type: 'string', default: '3' } },
});
const N = Number(values.instances);
await using root = await tempDir('repoforge-bench-dist-');
const { instance } = await makePythonSample(join(root.path, 'repos'));
const specs = sampleEnvSpecs(DEFAULT_IMAGE);
// CPU-light: the test command waits a second, as a suite blocked on IO would.
specs['acme/calc']!['*']!.test_cmd = `sleep 1 && ${specs['acme/calc']!['*']!.test_cmd}`;
const envSpecs = EnvSpecMap.parse(specs);
const repoSource = () => new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false });
const queueName = `repoforge-bench-${process.pid}`;
const url = `${redisUrl}/4`;

async function measure(workers: number, tag: string, images?: ImageOps, specs = envSpecs) {
  const dataset = Array.from({ length: N }, (_, i) =>
    Instance.parse({ ...instance, instance_id: `acme__calc-${tag}${i + 1}` }),
  );
  const handles = await Promise.all(
    Array.from({ length: workers }, () =>
      runQueueWorker({ url, queueName, repoSource: repoSource(), images }),
    ),
  );
  const executor = new QueueExecutor({ url, queueName });
  const reported = new Map<string, number>();
  const runId = `bench-${tag}-${process.pid}`;
  const t0 = performance.now();
  const r = await runEvaluation({
    dataset,
    predictions: 'gold',
    runId,
    reportDir: join(root.path, tag),
    envSpecs: specs,
    repoSource: repoSource(),
    executor,
    onProgress: (e) => {
      if (e.type === 'done') reported.set(e.id, Date.now());
    },
  });
  const wall = performance.now() - t0;
  if (r.summary.resolved_instances !== N) throw new Error(`resolved ${r.summary.resolved_instances}/${N}`);
  const queue = new Queue(queueName, {
    connection: { host: '127.0.0.1', port: Number(new URL(url).port), db: 4 },
  });
  const toStart: number[] = [];
  const toReport: number[] = [];
  for (const inst of dataset) {
    const job = (await queue.getJob(jobIdFor(runId, inst.instance_id)))!;
    toStart.push(job.processedOn! - job.timestamp);
    toReport.push(reported.get(inst.instance_id)! - job.finishedOn!);
  }
  await Promise.all([queue.close(), executor.close(), ...handles.map((h) => h.close())]);
  return { wall, toStart, toReport };
}

/** Redis's used memory (bytes), for what finished jobs keep there (results are kept 7 days). */
async function redisUsedMemory(): Promise<number> {
  const queue = new Queue('repoforge-bench-memory', { connection: { host: '127.0.0.1', port: 6379, db: 4 } });
  const info = await (await queue.client).info();
  await queue.close();
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Mines the demo repo: in this process (`workers` 0), or through the queue with that many worker processes' worth. */
async function mineWith(workers: number, tag: string, repo: string) {
  const queueName = `repoforge-bench-mine-${process.pid}-${tag}`;
  const handles = await Promise.all(
    Array.from({ length: workers }, () => runMineWorker({ url: `${redisUrl}/4`, queueName })),
  );
  const t0 = performance.now();
  const r = await mineRepository({
    repo,
    repoName: 'demo/mathlib',
    out: join(root.path, `mine-${tag}.jsonl`),
    runs: 3,
    ...(workers ? { queue: { url: `${redisUrl}/4`, queueName } } : { workers: 1 }),
  });
  const hours = (performance.now() - t0) / 3_600_000;
  await Promise.all(handles.map((h) => h.close()));
  return {
    validated: r.funnel.validated,
    candidates: r.funnel.candidates,
    per_hour: Math.round(r.funnel.validated / hours),
  };
}

/**
 * Environment builds avoided by the registry: a worker that builds and pushes (a first machine), then, with
 * those images removed from the engine (a second machine's empty cache), a worker that pulls them.
 */
async function sharedBuilds() {
  const registry = `127.0.0.1:5000/bench-${process.pid}`;
  // An environment of this run only (one more install step), so the first machine has to build it.
  const spec = envSpecs['acme/calc']!['*']!;
  const own = EnvSpecMap.parse({
    'acme/calc': { '*': { ...spec, install: [...spec.install, `echo bench-${process.pid}`] } },
  });
  const first = lazyImageBuilder({ registry: { registry } });
  const a = await measure(1, 'reg-a', first, own);
  for (const tag of first.shareStats.built) await first.remove(tag);
  const second = lazyImageBuilder({ registry: { registry } });
  const b = await measure(1, 'reg-b', second, own);
  return {
    registry,
    first_machine: { ...counts(first.shareStats), wall_ms: Math.round(a.wall) },
    second_machine: { ...counts(second.shareStats), wall_ms: Math.round(b.wall) },
    env_builds_avoided_by_pulls: second.shareStats.pulled.length,
    registry_holds: await registryUsage(registry),
  };
}
const counts = (s: ShareStats) => ({
  built: s.built.length,
  pushed: s.pushed.length,
  pulled: s.pulled.length,
});

/**
 * Rollouts through the queue: the simulated long-tail workload of bench:rollout (episodes 5x longer, as
 * queue hops cost milliseconds), its trainer consuming groups from an engine whose samples run on 1 or 2
 * `runRolloutWorker` workers, against the same engine running them in-process.
 */
async function rolloutsWith(workers: number, tag: string) {
  const duration = longTailDurations(300);
  const instances = placeholderInstances(48, `o__r-${tag}`);
  const queueName = `repoforge-bench-rollout-${process.pid}-${tag}`;
  const handles = await Promise.all(
    Array.from({ length: workers }, () =>
      runRolloutWorker({
        url,
        queueName,
        concurrency: 8,
        repoSource: repoSource(),
        envFor: async () => {
          throw new Error('simulated samples need no environment');
        },
        runSample: simulatedSample(duration),
      }),
    ),
  );
  const queued = workers
    ? queuedSamples({ url, queueName, run: `bench-${process.pid}-${tag}` })
    : { runSample: simulatedSample(duration), close: async () => {} };
  let version = 0;
  const engine = new RolloutEngine({
    samples: 4,
    concurrency: workers ? 8 * workers : 16,
    maxStaleness: 8,
    policyVersion: () => version,
    maxBufferedGroups: 16,
    runSample: queued.runSample,
  });
  const figures = await trainOn(engine, instances, {
    groupsPerStep: 4,
    stepMs: 600,
    bumpVersion: () => ++version,
  });
  await Promise.all([queued.close(), ...handles.map((h) => h.close())]);
  if (engine.stats.rewardSum !== figures.samples || engine.stats.failed)
    throw new Error(
      `rollouts ${tag}: ${engine.stats.failed} failed, reward ${engine.stats.rewardSum}/${figures.samples}`,
    );
  return trainerFigures(figures);
}

const rollouts = {
  setup:
    '48 instances x 4 samples, log-normal episodes (median 300 ms), a 600 ms trainer step per 4 groups, 8 samples at once per worker',
  in_process_16_at_once: await rolloutsWith(0, 'local'),
  one_worker: await rolloutsWith(1, 'one'),
  two_workers: await rolloutsWith(2, 'two'),
};

const shared = await sharedBuilds();

// Warm-up: builds the environment image once, outside the figures.
await measure(1, 'warm');
const memoryBefore = await redisUsedMemory();
const one = await measure(1, 'one');
const two = await measure(2, 'two');
const bytesPerJob = Math.round((await redisUsedMemory()) - memoryBefore) / (2 * N);

const { python } = await createDemoRepos(join(root.path, 'demo'), { fixes: Number(values.fixes) });
await mineWith(0, 'warm', python); // builds the mining environment outside the figures
const mineLocal = await mineWith(0, 'local', python);
const mineOne = await mineWith(1, 'one', python);
const mineTwo = await mineWith(2, 'two', python);
const tput = (ms: number) => Math.round((N / (ms / 1000)) * 100) / 100;
console.log(
  JSON.stringify(
    {
      benchmark: 'distributed',
      instances: N,
      one_worker: { wall_ms: Math.round(one.wall), instances_per_s: tput(one.wall) },
      two_workers: { wall_ms: Math.round(two.wall), instances_per_s: tput(two.wall) },
      speedup_two_vs_one: Math.round((one.wall / two.wall) * 100) / 100,
      queue_overhead_ms: {
        enqueue_to_start_first_wave: summarize(two.toStart.slice(0, 2)),
        finish_to_report: summarize([...one.toReport, ...two.toReport]),
      },
      redis_bytes_per_finished_eval_job: Math.round(bytesPerJob),
      env_images_through_registry: shared,
      rollouts,
      mining: {
        repo: `demo python, ${mineLocal.candidates} candidates`,
        one_process: mineLocal,
        one_worker: mineOne,
        two_workers: mineTwo,
        speedup_two_vs_one_worker: Math.round((mineTwo.per_hour / mineOne.per_hour) * 100) / 100,
      },
    },
    null,
    2,
  ),
);
