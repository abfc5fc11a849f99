import { setTimeout as sleep } from 'node:timers/promises';
import { redisUrl, skipWithoutRedis } from '@repoforge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueue, startJobWorker } from './jobs.js';

const url = `${redisUrl}/6`;
const queueName = `jobs-test-${process.pid}-${Date.now()}`;

describe.skipIf(await skipWithoutRedis())('JobQueue.submit over real Redis', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('resolves with what the worker returned; a job of the same id is answered, not run again; a failed job is JOB_FAILED; abort rejects at once', async () => {
    const ran: string[] = [];
    const done: string[] = [];
    const worker = await startJobWorker({ url, queueName, concurrency: 2 }, async (job) => {
      ran.push(job.id);
      if (job.name === 'slow') await sleep(5000);
      if (job.name === 'bad') throw new Error('no such thing');
      done.push(job.id);
      return { doubled: 2 * (job.data as { n: number }).n };
    });
    const queue = new JobQueue({ url, queueName, attempts: 1 });
    closers.push(
      () => worker.close(),
      () => queue.close(),
    );

    const first = await queue.submit({ id: 'a', name: 'double', data: { n: 21 } });
    expect(first).toEqual({ doubled: 42 });
    // Same id, other data: the finished job's answer (a restarted producer collects, nothing reruns).
    expect(await queue.submit({ id: 'a', name: 'double', data: { n: 1 } })).toEqual({ doubled: 42 });
    expect(ran).toEqual(['a']);

    await expect(queue.submit({ id: 'c', name: 'bad', data: { n: 1 } })).rejects.toMatchObject({
      code: 'JOB_FAILED',
      message: expect.stringContaining('no such thing'),
    });

    const ac = new AbortController();
    const slow = queue.submit({ id: 'b', name: 'slow', data: { n: 1 } }, { signal: ac.signal });
    while (!ran.includes('b')) await sleep(20);
    ac.abort(new Error('stop'));
    await expect(slow).rejects.toThrow('stop');
    // Rejected while the job was still running (the job itself goes on: others may collect it).
    expect(done).not.toContain('b');
  }, 60_000);
});
