import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvBuilder } from '@repoforge/deps';
import { lazyImageBuilder } from '@repoforge/sandbox';
import {
  baseImage,
  redisUrl,
  registryHost,
  skipWithoutDocker,
  skipWithoutRedis,
  skipWithoutRegistry,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoRepos } from './demo/index.js';
import { type MineResult, mineRepository } from './index.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker()) || (await skipWithoutRegistry());
/**
 * This test's own tag of the base image. The env images built FROM it get tags no other test uses, so removing
 * them below (the "second machine") cannot take an image from another test using the same engine at the same
 * time. Same image ID as the base, so Docker's build cache still serves the layers.
 */
const ownBase = `repoforge/base:mine-queue-${process.pid}`;
const dist = join(import.meta.dirname, '..', 'dist', 'index.js');

/**
 * A mining worker process (the built package, as `repoforge datagen worker --env-registry` runs it): its
 * environment images shared through `registry` under a Redis build lease; prints `start|done <oid>`, and after
 * each candidate `shared <ShareStats JSON>` (what it pulled, pushed and built).
 */
function startWorker(queueName: string, registry: string): ChildProcess & { lines: string[] } {
  const script = `
    import { runMineWorker } from ${JSON.stringify(dist)};
    import { redisBuildLease } from '@repoforge/harness';
    import { lazyImageBuilder } from '@repoforge/sandbox';
    const lease = await redisBuildLease(${JSON.stringify(redisUrl)});
    const images = lazyImageBuilder({ registry: { registry: ${JSON.stringify(registry)}, lease } });
    const w = await runMineWorker({
      url: ${JSON.stringify(redisUrl)}, queueName: ${JSON.stringify(queueName)}, images,
      lockDurationMs: 3000, stalledIntervalMs: 1000,
      onProgress: (e) => {
        if (e.type === 'start') return;
        console.log(e.type === 'working' ? 'start' : 'done', e.id);
        if (e.type === 'done') console.log('shared', JSON.stringify(images.shareStats));
      },
    });
    console.log('ready');
    process.on('SIGTERM', () => w.close().then(() => lease.close()).then(() => process.exit(0)));`;
  const child = spawn('node', ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, REPOFORGE_BASE_IMAGE: ownBase },
  }) as ChildProcess & { lines: string[] };
  child.lines = [];
  child.stdout!.on('data', (d) => child.lines.push(...String(d).trim().split('\n')));
  return child;
}

const until = async (cond: () => boolean, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** The last `shared` line of a worker: what it pulled, pushed and built. */
const shareStats = (w: { lines: string[] }) => {
  const last = w.lines.filter((l) => l.startsWith('shared ')).at(-1);
  return last
    ? (JSON.parse(last.slice('shared '.length)) as Record<'pulled' | 'pushed' | 'built', string[]>)
    : undefined;
};

/** What must not differ between a one-process and a distributed run: the instances and the verdicts. */
const essence = (r: MineResult) => ({
  instances: r.instances.map((i) => ({ id: i.instance_id, f2p: i.FAIL_TO_PASS, p2p: i.PASS_TO_PASS })),
  validated: r.funnel.validated,
  rejected: r.funnel.rejected,
  candidates: r.funnel.candidates,
  envBuilt: r.funnel.envBuilt,
  beforeAfterRan: r.funnel.beforeAfterRan,
  rejections: r.rejections.map((x) => [x.commit, x.verdict]),
});

describe.skipIf(skip)(
  'distributed mining over BullMQ (real Redis, worker processes, Docker, a registry)',
  () => {
    const workers: ChildProcess[] = [];
    const ownImages: string[] = [];
    beforeAll(() => {
      execFileSync('docker', ['tag', baseImage, ownBase]);
    });
    afterEach(() => {
      for (const w of workers.splice(0)) w.kill('SIGKILL');
    });
    afterAll(async () => {
      for (const tag of [...ownImages, ownBase]) await lazyImageBuilder().remove(tag);
    });

    it('two worker processes, one of them SIGKILLed mid-candidate, mine the same instances as one process; nothing is validated twice; a worker on an engine without the images pulls them, builds none', async () => {
      await using root = await tempDir('repoforge-mine-queue-');
      const { python } = await createDemoRepos(root.path, { fixes: 2, edgeCases: true });
      const common = { repo: python, repoName: 'demo/mathlib', runs: 3 };
      const local = await mineRepository({
        ...common,
        out: join(root.path, 'local.jsonl'),
        workers: 2,
        envBuilder: new EnvBuilder({ baseImage: ownBase }),
      });
      expect(local.funnel.validated).toBe(3);

      const queueName = `repoforge-mine-test-${process.pid}`;
      const registry = `${registryHost}/repoforge-mine-test-${process.pid}-${Date.now()}`;
      const a = startWorker(queueName, registry);
      const b = startWorker(queueName, registry);
      workers.push(a, b);
      await until(() => a.lines.includes('ready') && b.lines.includes('ready'));
      // Kill whichever worker starts a candidate first, in the middle of it.
      let killed: (ChildProcess & { lines: string[] }) | undefined;
      const killer = setInterval(() => {
        for (const w of [a, b])
          if (!killed && w.lines.some((l) => l.startsWith('start '))) {
            killed = w;
            w.kill('SIGKILL');
          }
      }, 20);
      const dist = await mineRepository({
        ...common,
        out: join(root.path, 'dist.jsonl'),
        queue: { url: redisUrl, queueName },
      }).finally(() => clearInterval(killer));
      expect(killed).toBeDefined();
      expect(essence(dist)).toEqual(essence(local));
      const started = killed!.lines.find((l) => l.startsWith('start '))!.slice('start '.length);
      const survivor = killed === a ? b : a;
      // The killed worker's candidate was finished by the survivor, and every candidate exactly once.
      expect(survivor.lines).toContain(`done ${started}`);
      const dones = [...a.lines, ...b.lines].filter((l) => l.startsWith('done '));
      expect(new Set(dones).size).toBe(dones.length);
      expect(dones.length).toBe(dist.funnel.candidates);

      // Every environment image the run used went to the registry (built, or found here, then pushed).
      const pushed = [...new Set([a, b].flatMap((w) => shareStats(w)?.pushed ?? []))];
      expect(pushed.length).toBeGreaterThan(0);
      ownImages.push(...pushed);
      // A second machine: an engine without those images, a worker that pulls them and builds nothing.
      for (const tag of pushed) await lazyImageBuilder().remove(tag);
      survivor.kill('SIGTERM');
      const c = startWorker(queueName, registry);
      workers.push(c);
      await until(() => c.lines.includes('ready'));
      const again = await mineRepository({
        ...common,
        out: join(root.path, 'again.jsonl'),
        queue: { url: redisUrl, queueName },
      });
      expect(essence(again)).toEqual(essence(local));
      const second = shareStats(c)!;
      expect(second.built).toEqual([]);
      expect(second.pulled.length).toBeGreaterThan(0);
      expect(pushed).toEqual(expect.arrayContaining(second.pulled));
    });
  },
);
