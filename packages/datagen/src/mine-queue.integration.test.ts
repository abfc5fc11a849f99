import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { EnvBuilder } from '@repoforge/deps';
import { baseImage, redisUrl, skipWithoutDocker, skipWithoutRedis, tempDir } from '@repoforge/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoRepos } from './demo/index.js';
import { type MineResult, mineRepository } from './index.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker());
const dist = join(import.meta.dirname, '..', 'dist', 'index.js');

/** A mining worker process (the built package, as `repoforge datagen worker` runs it): prints `start|done <oid>`. */
function startWorker(queueName: string): ChildProcess & { lines: string[] } {
  const script = `
    import { runMineWorker } from ${JSON.stringify(dist)};
    const w = await runMineWorker({
      url: ${JSON.stringify(redisUrl)}, queueName: ${JSON.stringify(queueName)},
      lockDurationMs: 3000, stalledIntervalMs: 1000,
      onProgress: (e) => e.type !== 'start' && console.log(e.type === 'working' ? 'start' : 'done', e.id),
    });
    console.log('ready');
    process.on('SIGTERM', () => w.close().then(() => process.exit(0)));`;
  const child = spawn('node', ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, REPOFORGE_BASE_IMAGE: baseImage },
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

describe.skipIf(skip)('distributed mining over BullMQ (real Redis, worker processes, Docker)', () => {
  const workers: ChildProcess[] = [];
  afterEach(() => {
    for (const w of workers.splice(0)) w.kill('SIGKILL');
  });

  it('two worker processes, one of them SIGKILLed mid-candidate, mine the same instances as one process; nothing is validated twice', async () => {
    await using root = await tempDir('repoforge-mine-queue-');
    const { python } = await createDemoRepos(root.path, { fixes: 2, edgeCases: true });
    const common = { repo: python, repoName: 'demo/mathlib', runs: 3 };
    const local = await mineRepository({
      ...common,
      out: join(root.path, 'local.jsonl'),
      workers: 2,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(local.funnel.validated).toBe(3);

    const queueName = `repoforge-mine-test-${process.pid}`;
    const a = startWorker(queueName);
    const b = startWorker(queueName);
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
  });
});
