/**
 * Distributed benchmark on this machine. Evaluation: throughput with 1 vs 2 queue workers for CPU-light
 * instances (their test command mostly waits), the queue's own overhead per instance (enqueue -> start, finish
 * -> report written, in ms) and the Redis memory a finished job holds. Mining: validated instances per hour of
 * the demo Python repo with 1 vs 2 `runMineWorker` workers, against a one-process run of the same repo (the
 * environment built beforehand, outside the figures). Needs Redis (tools/setup-redis.sh) and Docker.
 *   npx tsx --conditions=@repoforge/source tools/bench/distributed.ts [--instances 8] [--fixes 3]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mineRepository, runMineWorker } from '@repoforge/datagen';
import { createDemoRepos } from '@repoforge/datagen/demo';
import { jobIdFor, QueueExecutor, RepoCache, runEvaluation, runQueueWorker } from '@repoforge/harness';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, redisUrl, sampleEnvSpecs, tempDir } from '@repoforge/test-utils';
import { Queue } from 'bullmq';
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

async function measure(workers: number, tag: string) {
  const dataset = Array.from({ length: N }, (_, i) =>
    Instance.parse({ ...instance, instance_id: `acme__calc-${tag}${i + 1}` }),
  );
  const handles = await Promise.all(
    Array.from({ length: workers }, () => runQueueWorker({ url, queueName, repoSource: repoSource() })),
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
    envSpecs,
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
