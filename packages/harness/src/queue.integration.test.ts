import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { lazyImageBuilder } from '@repoforge/sandbox';
import { EnvSpecMap, Instance, type Prediction } from '@repoforge/schema';
import {
  baseImage,
  makePythonSample,
  redisUrl,
  registryHost,
  sampleEnvSpecs,
  skipWithoutDocker,
  skipWithoutRedis,
  skipWithoutRegistry,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueExecutor, RepoCache, runEvaluation } from './index.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker()) || (await skipWithoutRegistry());
const dist = join(import.meta.dirname, '..', 'dist', 'index.js');

/**
 * A worker process: the built package, as `repoforge eval worker` would run it. Prints `start|done <id>`.
 * With a registry, environment images are shared through it under a Redis build lease, and the worker prints
 * `shared <stats JSON>` as it stops.
 */
function startWorker(
  cacheDir: string,
  queueName: string,
  registry?: string,
): ChildProcess & { lines: string[] } {
  const sandboxDist = join(import.meta.dirname, '..', '..', 'sandbox', 'dist', 'index.js');
  const script = `
    import { runQueueWorker, RepoCache, redisBuildLease } from ${JSON.stringify(dist)};
    import { lazyImageBuilder } from ${JSON.stringify(sandboxDist)};
    const registry = ${JSON.stringify(registry ?? null)};
    const lease = registry ? await redisBuildLease(${JSON.stringify(redisUrl)}, { pollMs: 200 }) : undefined;
    const images = registry ? lazyImageBuilder({ registry: { registry, lease } }) : undefined;
    const w = await runQueueWorker({
      url: ${JSON.stringify(redisUrl)}, queueName: ${JSON.stringify(queueName)},
      repoSource: new RepoCache({ cacheDir: ${JSON.stringify(cacheDir)}, clone: false }),
      lockDurationMs: 3000, stalledIntervalMs: 1000, images,
      onProgress: (e) => e.type !== 'start' && console.log(e.type === 'working' ? 'start' : 'done', e.id),
    });
    console.log('ready');
    process.on('SIGTERM', async () => {
      await w.close();
      await lease?.close();
      if (images) console.log('shared ' + JSON.stringify(images.shareStats));
      process.exit(0);
    });`;
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

  it('workers share an environment image through the registry: built once by the two racing for it, pulled by a third whose engine lacks it', async () => {
    // Install steps make an image per dependency set (EnvImages), unique to this run so no earlier one exists.
    const tag = `${process.pid}-${Date.now()}`;
    const calc = envSpecs['acme/calc']!['*']!;
    const withInstall = EnvSpecMap.parse({
      'acme/calc': { '*': { ...calc, install: [`echo ${tag} > /opt/installed-${tag}`] } },
    });
    const registry = `${registryHost}/repoforge-test`;
    const stopped = async (w: ChildProcess & { lines: string[] }) => {
      w.kill('SIGTERM');
      await new Promise((r) => w.once('exit', r));
      const line = w.lines.find((l) => l.startsWith('shared '));
      return JSON.parse(line!.slice('shared '.length)) as {
        pulled: string[];
        pushed: string[];
        built: string[];
      };
    };
    const run = async (runId: string, n: number) => {
      const executor = new QueueExecutor({ url: redisUrl, queueName });
      const r = await runEvaluation({
        dataset: dataset.slice(0, n).map((i) => ({ ...i, instance_id: `${i.instance_id}-${runId}` })),
        predictions: 'gold',
        runId,
        reportDir: join(root.path, runId),
        envSpecs: withInstall,
        repoSource: repoSource(),
        executor,
      });
      await executor.close();
      expect(r.summary.resolved_instances).toBe(n);
    };

    const a = startWorker(join(root.path, 'repos'), queueName, registry);
    const b = startWorker(join(root.path, 'repos'), queueName, registry);
    workers.push(a, b);
    await until(() => a.lines.includes('ready') && b.lines.includes('ready'));
    await run('share1', 4);
    const [sa, sb] = [await stopped(a), await stopped(b)];
    const built = [...sa.built, ...sb.built].filter((t) => t.startsWith('repoforge/env-installed:'));
    expect(built).toHaveLength(1);
    expect([...sa.pushed, ...sb.pushed]).toContain(built[0]);

    // A third machine: its engine has never had the installed image.
    await lazyImageBuilder().remove(built[0]!);
    const c = startWorker(join(root.path, 'repos'), queueName, registry);
    workers.push(c);
    await until(() => c.lines.includes('ready'));
    await run('share2', 2);
    const sc = await stopped(c);
    expect(sc.pulled).toContain(built[0]);
    expect(sc.built).toEqual([]);
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
