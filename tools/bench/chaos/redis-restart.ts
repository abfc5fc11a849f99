/**
 * Redis goes away under a distributed run (`eval run --queue` + one `eval worker`), on a Redis of its own
 * (port 6391, append-only file on, as a queue's Redis should be): once frozen for 10 s (SIGSTOP: a network
 * partition) and once restarted (SIGTERM, then started again on the same data). Producer and worker must
 * reconnect or fail clearly; a rerun of the run id finishes; no instance runs twice (the worker's "done"
 * lines) or goes missing.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { emptyRow, lastLine, type Reference, type Row, rerunAndJudge } from './rows.ts';
import { cli, evalArgs, sleep, type World, waitFor } from './world.ts';

const exec = promisify(execFile);
const PORT = 6391;
const DIR = '/var/lib/repoforge-chaos-redis';
const URL = `redis://127.0.0.1:${PORT}`;

async function ping(): Promise<boolean> {
  return exec('redis-cli', ['-p', String(PORT), 'ping'], { timeout: 2000 }).then(
    (r) => r.stdout.includes('PONG'),
    () => false,
  );
}

async function startRedis(): Promise<void> {
  await mkdir(DIR, { recursive: true });
  await exec('redis-server', [
    '--bind',
    '127.0.0.1',
    '--port',
    String(PORT),
    '--daemonize',
    'yes',
    '--dir',
    DIR,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--pidfile',
    `${DIR}/redis.pid`,
    '--logfile',
    `${DIR}/redis.log`,
  ]);
  await waitFor('redis to answer', ping, 20_000);
}

async function redisPid(): Promise<number> {
  return Number(await readFile(`${DIR}/redis.pid`, 'utf8'));
}

export async function redisRestartRow(world: World, ref: Reference): Promise<Row> {
  if (!(await ping())) await startRedis();
  await exec('redis-cli', ['-p', String(PORT), 'flushall']);
  const row = emptyRow();
  const faults: [string, () => Promise<void>][] = [
    [
      'frozen 10 s',
      async () => {
        const pid = await redisPid();
        process.kill(pid, 'SIGSTOP');
        await sleep(10_000);
        process.kill(pid, 'SIGCONT');
      },
    ],
    [
      'restarted',
      async () => {
        const pid = await redisPid();
        process.kill(pid, 'SIGTERM');
        await waitFor('redis to stop', async () => !(await ping()), 20_000);
        await sleep(2000);
        await startRedis();
      },
    ],
  ];
  for (const [i, [name, fault]] of faults.entries()) {
    const runId = `redis-${i}`;
    const queue = `${URL}/${i + 1}`;
    const worker = cli(world.root, [
      'eval',
      'worker',
      '--queue',
      queue,
      '--repo-cache',
      'repos',
      '--verbose',
    ]);
    const producer = cli(world.root, [...evalArgs(runId), '--queue', queue]);
    // Mid-run: once the worker has finished its first instance (the rest are queued or running).
    await waitFor('a first instance done', async () => worker.stderr().includes('[worker] done '), 300_000);
    await fault();
    const first = await Promise.race([producer.done, sleep(ref.seconds * 4000).then(() => undefined)]);
    if (!first) producer.kill9();
    const what = `redis ${name}: the producer ${first ? `exited ${first.code}: ${lastLine(first.stderr)}` : 'hung, killed'}`;
    await rerunAndJudge(world, row, ref, runId, what, { extraArgs: ['--queue', queue] });
    worker.kill9();
    const { stderr } = await worker.done;
    const dones = stderr
      .split('\n')
      .filter((l) => l.startsWith('[worker] done '))
      .map((l) => l.split(' ')[2]);
    const twice = dones.length - new Set(dones).size;
    row.instances_duplicated += twice;
    row.detail.push(`redis ${name}: the worker ran ${dones.length} instance(s), ${twice} twice`);
  }
  return row;
}
