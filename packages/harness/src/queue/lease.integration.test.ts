import { setTimeout as sleep } from 'node:timers/promises';
import { redisUrl, skipWithoutRedis } from '@repoforge/test-utils';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { redisConnection } from './connection.js';
import { leaseScripts, RedisBuildLease, redisBuildLease } from './lease.js';

const url = `${redisUrl}/5`;
const key = `test-${process.pid}-${Date.now()}`;

describe.skipIf(await skipWithoutRedis())('build lease in Redis', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  async function lease(ttlMs = 60_000) {
    const l = await redisBuildLease(url, { ttlMs, pollMs: 50 });
    closers.push(() => l.close());
    return l;
  }

  it('holders on separate connections never overlap, and each one runs', async () => {
    const [a, b, c] = await Promise.all([lease(), lease(), lease()]);
    let holding = 0;
    let most = 0;
    const order: string[] = [];
    const work = (name: string) => async () => {
      most = Math.max(most, ++holding);
      await sleep(100);
      order.push(name);
      holding--;
      return name;
    };
    const results = await Promise.all([
      a.hold(key, work('a')),
      b.hold(key, work('b')),
      c.hold(key, work('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
    expect(order.sort()).toEqual(['a', 'b', 'c']);
  });

  it('a holder that died (no renewal, no release) loses the lease when it expires', async () => {
    const queue = new Queue('repoforge-build-leases', { connection: redisConnection(url) });
    closers.push(() => queue.close());
    const raw = await queue.client;
    // What a killed holder leaves: the key, with its expiry, and nobody renewing it.
    const name = `repoforge:build-lease:${key}-dead`;
    await raw.set(name, 'killed-holder', { PX: 500 });
    const waiter = new RedisBuildLease(leaseScripts(raw as never), { pollMs: 50 });
    // Inside, the key is the waiter's own token: it got the lease only once the dead holder's had expired.
    const owner = await waiter.hold(`${key}-dead`, async () => raw.get(name));
    expect(owner).toMatch(/^[0-9a-f-]{36}$/);
    expect(await raw.get(name)).toBeNull();
  });

  it('a live holder keeps its lease past the expiry by renewing it', async () => {
    const [a, b] = await Promise.all([lease(300), lease(300)]);
    let aDone = false;
    const first = a.hold(`${key}-long`, async () => {
      await sleep(1_000);
      aDone = true;
    });
    await sleep(50);
    const second = b.hold(`${key}-long`, async () => aDone);
    await first;
    expect(await second).toBe(true);
  });

  it('a waiter gives up when its signal aborts', async () => {
    const [a, b] = await Promise.all([lease(), lease()]);
    let release!: () => void;
    const held = a.hold(`${key}-abort`, () => new Promise<void>((r) => (release = r)));
    await sleep(50);
    const controller = new AbortController();
    const waiting = b.hold(`${key}-abort`, async () => 'never', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow(/abort/i);
    release();
    await held;
  });
});
