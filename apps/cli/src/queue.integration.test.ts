import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  baseImage,
  makePythonSample,
  redisUrl,
  sampleEnvSpecs,
  skipWithoutDocker,
  skipWithoutRedis,
  tempDir,
} from '@repoforge/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { cliProcesses, exited, until } from './test-procs.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker());
const { cli, killAll } = cliProcesses();
afterEach(killAll);

describe.skipIf(skip)('repoforge eval run --queue / eval worker (processes)', () => {
  it('a producer SIGKILLed mid-run and restarted finishes the run; no instance runs twice; SIGTERM stops a worker cleanly', async () => {
    await using dir = await tempDir();
    const { instance } = await makePythonSample(join(dir.path, 'repos'));
    const ids = Array.from({ length: 5 }, (_, i) => `acme__calc-p${i + 1}`);
    await writeFile(
      join(dir.path, 'data.jsonl'),
      ids.map((id) => JSON.stringify({ ...instance, instance_id: id })).join('\n'),
    );
    await writeFile(join(dir.path, 'env.json'), JSON.stringify(sampleEnvSpecs(baseImage)));
    const queue = `${redisUrl}/3`;
    const worker = cli(['eval', 'worker', '--queue', queue, '--repo-cache', 'repos'], dir.path);
    await until(() => worker.err.some((l) => l.includes('ready')));
    const args = [
      'eval',
      'run',
      '--dataset',
      'data.jsonl',
      '--predictions',
      'gold',
      '--run-id',
      `crash-${process.pid}`,
      '--env-spec',
      'env.json',
      '--queue',
      queue,
    ];
    const first = cli(args, dir.path);
    await until(() => first.err.some((l) => /\[eval\] 1\/5/.test(l)));
    first.kill('SIGKILL');
    await exited(first);
    const second = cli(args, dir.path);
    expect(await exited(second)).toBe(0);
    const dones = worker.err.filter((l) => l.startsWith('[worker] done ')).map((l) => l.split(' ')[2]);
    expect([...dones].sort()).toEqual(ids);
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(worker.err.some((l) => l.includes('stopping'))).toBe(true);
  });

  it('repoforge worker takes eval jobs beside its mining role, reports health on /healthz, and drains on SIGTERM', async () => {
    await using dir = await tempDir();
    const { instance } = await makePythonSample(join(dir.path, 'repos'));
    const ids = ['acme__calc-w1', 'acme__calc-w2'];
    await writeFile(
      join(dir.path, 'data.jsonl'),
      ids.map((id) => JSON.stringify({ ...instance, instance_id: id })).join('\n'),
    );
    await writeFile(join(dir.path, 'env.json'), JSON.stringify(sampleEnvSpecs(baseImage)));
    const queue = `${redisUrl}/3`;
    const port = await freePort();
    const worker = cli(
      [
        'worker',
        '--queue',
        queue,
        '--roles',
        'eval,mine',
        '--repo-cache',
        'repos',
        '--health-port',
        String(port),
      ],
      dir.path,
    );
    await until(() => worker.err.some((l) => l.includes('ready')));
    const healthz = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return {
        status: r.status,
        body: (await r.json()) as { roles: string[]; done: Record<string, number> },
      };
    };
    expect(await healthz()).toMatchObject({ status: 200, body: { roles: ['eval', 'mine'], done: {} } });
    const run = cli(
      [
        'eval',
        'run',
        '--dataset',
        'data.jsonl',
        '--predictions',
        'gold',
        '--run-id',
        `w-${process.pid}`,
      ].concat(['--env-spec', 'env.json', '--queue', queue]),
      dir.path,
    );
    expect(await exited(run)).toBe(0);
    expect((await healthz()).body.done).toEqual({ eval: 2 });
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(worker.err.some((l) => l.includes('stopping'))).toBe(true);
  });
});

/** A port nothing listens on (asked of the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
