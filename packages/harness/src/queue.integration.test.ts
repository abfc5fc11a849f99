import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvSpecMap, Instance, type Prediction } from '@repoforge/schema';
import {
  baseImage,
  makePythonSample,
  redisUrl,
  sampleEnvSpecs,
  skipWithoutDocker,
  skipWithoutRedis,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueExecutor, RepoCache, runEvaluation } from './index.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker());
const dist = join(import.meta.dirname, '..', 'dist', 'index.js');

/** A worker process: the built package, as `repoforge eval worker` would run it. Prints `start|done <id>`. */
function startWorker(cacheDir: string, queueName: string): ChildProcess & { lines: string[] } {
  const script = `
    import { runQueueWorker, RepoCache } from ${JSON.stringify(dist)};
    const w = await runQueueWorker({
      url: ${JSON.stringify(redisUrl)}, queueName: ${JSON.stringify(queueName)},
      repoSource: new RepoCache({ cacheDir: ${JSON.stringify(cacheDir)}, clone: false }),
      lockDurationMs: 3000, stalledIntervalMs: 1000,
      onProgress: (e) => e.type !== 'start' && console.log(e.type === 'working' ? 'start' : 'done', e.id),
    });
    console.log('ready');
    process.on('SIGTERM', () => w.close().then(() => process.exit(0)));`;
  const child = spawn('node', ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  }) as ChildProcess & { lines: string[] };
  child.lines = [];
  child.stdout!.on('data', (d) => child.lines.push(...String(d).trim().split('\n')));
  return child;
}

const until = async (cond: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(skip)('distributed evaluation over BullMQ (real Redis, worker processes)', () => {
  let root: { path: string } & AsyncDisposable;
  let dataset: Instance[];
  const workers: ChildProcess[] = [];
  let envSpecs: EnvSpecMap;
  const queueName = `repoforge-test-${process.pid}`;

  beforeAll(async () => {
    root = await tempDir('repoforge-queue-');
    const { instance } = await makePythonSample(join(root.path, 'repos'));
    const slowPatch = instance.patch
      .replace('+    return a + b', '+    import time; time.sleep(4)\n+    return a + b')
      .replace('@@ -1,5 +1,5 @@', '@@ -1,5 +1,6 @@');
    dataset = [
      ...Array.from({ length: 4 }, (_, i) =>
        Instance.parse({ ...instance, instance_id: `acme__calc-q${i + 1}` }),
      ),
      Instance.parse({ ...instance, instance_id: 'acme__calc-slow', patch: slowPatch }),
    ];
    envSpecs = EnvSpecMap.parse(sampleEnvSpecs(baseImage));
  });
  afterEach(() => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });

  const repoSource = () => new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false });
  const gold = (): Prediction[] =>
    dataset.map((i) => ({ instance_id: i.instance_id, model_name_or_path: 'gold', model_patch: i.patch }));

  it('two worker processes evaluate every instance exactly once, a SIGKILLed worker costs nothing, and the summary equals a local run', async () => {
    const local = await runEvaluation({
      dataset,
      predictions: gold(),
      runId: 'local',
      reportDir: join(root.path, 'local'),
      envSpecs,
      repoSource: repoSource(),
      maxWorkers: 2,
    });
    expect(local.summary.resolved_instances).toBe(5);

    const a = startWorker(join(root.path, 'repos'), queueName);
    const b = startWorker(join(root.path, 'repos'), queueName);
    workers.push(a, b);
    await until(() => a.lines.includes('ready') && b.lines.includes('ready'));
    const executor = new QueueExecutor({
      url: redisUrl,
      queueName,
      expectedDurations: new Map([['acme__calc-slow', 10_000]]),
    });
    // Kill whichever worker takes the slow instance, in the middle of it.
    let killed: ChildProcess | undefined;
    const killer = setInterval(() => {
      for (const w of [a, b]) {
        if (!killed && (w as typeof a).lines.includes('start acme__calc-slow')) {
          killed = w;
          w.kill('SIGKILL');
        }
      }
    }, 50);
    const run = await runEvaluation({
      dataset,
      predictions: gold(),
      runId: 'dist',
      reportDir: join(root.path, 'dist'),
      envSpecs,
      repoSource: repoSource(),
      executor,
    });
    clearInterval(killer);
    await executor.close();
    expect(killed).toBeDefined();
    expect(run.summary).toEqual({ ...local.summary });
    expect(run.outcomes.map((o) => o.instance_id).sort()).toEqual(dataset.map((i) => i.instance_id).sort());
    const survivor = killed === a ? b : a;
    // The slow job was started by the killed worker, then finished exactly once by the survivor.
    expect(survivor.lines.filter((l) => l === 'done acme__calc-slow')).toHaveLength(1);
    const dones = [...a.lines, ...b.lines].filter((l) => l.startsWith('done '));
    expect(new Set(dones).size).toBe(dones.length);
    // The longest expected instance was among the first two handed out (one per worker).
    const firsts = [a, b].map((w) => w.lines.find((l) => l.startsWith('start ')));
    expect(firsts).toContain('start acme__calc-slow');
    survivor.kill('SIGTERM');
    await new Promise((r) => survivor.once('exit', r));
  });

  it('a producer stopped mid-run and restarted with the same run id finishes without running anything twice', async () => {
    const w = startWorker(join(root.path, 'repos'), queueName);
    workers.push(w);
    await until(() => w.lines.includes('ready'));
    const reportDir = join(root.path, 'restart');
    const ac = new AbortController();
    const first = new QueueExecutor({ url: redisUrl, queueName });
    let seen = 0;
    await runEvaluation({
      dataset,
      predictions: gold(),
      runId: 'restart',
      reportDir,
      envSpecs,
      repoSource: repoSource(),
      executor: first,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.type === 'done' && ++seen === 1) ac.abort(new Error('producer crash'));
      },
    }).catch(() => {});
    await first.close();
    const second = new QueueExecutor({ url: redisUrl, queueName });
    const run = await runEvaluation({
      dataset,
      predictions: gold(),
      runId: 'restart',
      reportDir,
      envSpecs,
      repoSource: repoSource(),
      executor: second,
    });
    await second.close();
    expect(run.summary.resolved_instances).toBe(5);
    expect(run.resumed.length).toBeGreaterThanOrEqual(1);
    const dones = w.lines.filter((l) => l.startsWith('done '));
    expect(dones.sort()).toEqual(dataset.map((i) => `done ${i.instance_id}`).sort());
  });

  // No wall-clock assertion (a loaded machine makes any bound flaky): a client that retried forever would hang
  // past this test's timeout, which is many times what the bounded connection attempts take.
  it('says clearly when Redis is unreachable, instead of retrying forever', { timeout: 60_000 }, async () => {
    const executor = new QueueExecutor({ url: 'redis://127.0.0.1:1/0' });
    await expect(
      runEvaluation({
        dataset,
        predictions: gold(),
        runId: 'nope',
        reportDir: join(root.path, 'nope'),
        envSpecs,
        repoSource: repoSource(),
        executor,
      }),
    ).rejects.toMatchObject({
      code: 'QUEUE_UNREACHABLE',
      message: expect.stringContaining('redis://127.0.0.1:1/0'),
    });
  });
});
