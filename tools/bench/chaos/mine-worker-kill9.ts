/**
 * Distributed mining under faults: `datagen mine --queue` with two `datagen worker` processes sharing
 * environment images through the loopback registry. Faults: one worker killed with -9 at spread points of the
 * run (its candidate goes to the other when its lock lapses; a replacement starts, as systemd would restart it,
 * and removes what the dead one left), and the registry restarted mid-run (a worker that cannot pull or push
 * builds here). The producer must finish without a rerun; its instances must equal an uninterrupted one-process
 * mining's, none twice, and no sandbox of the killed worker left.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisUrl, registryHost } from '@repoforge/test-utils';
import { judgeMining, mineReference } from './mine-kill9.ts';
import { countMissed, emptyRow, type Row } from './rows.ts';
import { type Child, cli, sleep, type World, waitFor } from './world.ts';

const exec = promisify(execFile);
const POINTS = [0.1, 0.4, 0.7];
const DB = 7;
const QUEUE = `${redisUrl}/${DB}`;
const REGISTRY = `${registryHost}/repoforge-chaos`;

const startWorker = (world: World) =>
  cli(world.root, ['datagen', 'worker', '--queue', QUEUE, '--env-registry', REGISTRY]);

/** Two workers on an empty queue database, ready. */
async function startWorkers(world: World): Promise<[Child, Child]> {
  await exec('redis-cli', ['-n', String(DB), 'flushdb']);
  const workers: [Child, Child] = [startWorker(world), startWorker(world)];
  await waitFor(
    'workers to be ready',
    async () => workers.every((w) => w.stderr().includes('ready')),
    60_000,
  );
  return workers;
}

/** Mines through the queue from scratch into `out`; `fault` runs while it goes. */
async function mineDistributed(world: World, out: string, fault: (producer: Child) => Promise<void>) {
  for (const f of [out, `${out}.state.json`]) await rm(join(world.root, f), { force: true });
  const producer = cli(world.root, [
    'datagen',
    'mine',
    '--repo',
    'mine-repo',
    '--out',
    out,
    '--queue',
    QUEUE,
  ]);
  const t0 = Date.now();
  await fault(producer);
  const result = await producer.done;
  return { producer, code: result.code, seconds: (Date.now() - t0) / 1000 };
}

async function restartRegistry(): Promise<void> {
  await exec('pkill', ['-x', 'docker-registry']).catch(() => {});
  await sleep(3000);
  await exec('bash', ['tools/setup-registry.sh']);
}

export async function mineWorkerKill9Row(world: World): Promise<Row> {
  const { seconds: refSeconds, byId } = await mineReference(world);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const [a, b] = await startWorkers(world);
    let killed: Child | undefined;
    let replacement: Child | undefined;
    const out = `mine-queue-${i}.jsonl`;
    const run = await mineDistributed(world, out, async (producer) => {
      await sleep(frac * refSeconds * 1000);
      countMissed(row, producer);
      killed = a.stderr().includes('start ') || !b.stderr().includes('start ') ? a : b;
      killed.kill9();
      await killed.done;
      replacement = startWorker(world);
    });
    const what = `worker killed at ${Math.round(frac * 100)}%; producer exit ${run.code}`;
    await judgeMining(
      row,
      byId,
      { out, pid: killed!.pid, rerunCode: run.code, seconds: run.seconds },
      world,
      what,
    );
    for (const w of [a, b, replacement]) w?.kill9();
  }
  return row;
}

export async function mineRegistryRestartRow(world: World): Promise<Row> {
  const { seconds: refSeconds, byId } = await mineReference(world);
  const row = emptyRow();
  const workers = await startWorkers(world);
  const out = 'mine-queue-registry.jsonl';
  const run = await mineDistributed(world, out, async (producer) => {
    await sleep(0.2 * refSeconds * 1000);
    countMissed(row, producer);
    await restartRegistry();
  });
  // Stopped as systemd stops them (SIGTERM: drain, close the pool); whatever they leave then is a leak.
  for (const w of workers) process.kill(w.pid, 'SIGTERM');
  await Promise.all(workers.map((w) => w.done));
  const what = `registry restarted at 20%; producer exit ${run.code}`;
  const judged = { out, pid: workers[0].pid, rerunCode: run.code, seconds: run.seconds };
  await judgeMining(row, byId, judged, world, what);
  return row;
}
