/**
 * Distributed-evaluation benchmark on this machine: throughput with 1 vs 2 queue workers for CPU-light
 * instances (their test command mostly waits), and the queue's own overhead per instance: enqueue -> start
 * and finish -> report written, in ms. Needs Redis (tools/setup-redis.sh) and Docker.
 *   npx tsx --conditions=@repoforge/source tools/bench/distributed.ts [--instances 8]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jobIdFor, QueueExecutor, RepoCache, runEvaluation, runQueueWorker } from '@repoforge/harness';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, redisUrl, sampleEnvSpecs, tempDir } from '@repoforge/test-utils';
import { Queue } from 'bullmq';
import { summarize } from './stats.ts';

const { values } = parseArgs({ options: { instances: { type: 'string', default: '8' } } });
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

// Warm-up: builds the environment image once, outside the figures.
await measure(1, 'warm');
const one = await measure(1, 'one');
const two = await measure(2, 'two');
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
    },
    null,
    2,
  ),
);
