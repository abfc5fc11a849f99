import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BuildLease } from '@repoforge/sandbox';
import { assertRedisReachable, loadBullMQ, redisConnection } from './connection.js';

/** A lease's three atomic steps on one Redis key. */
export interface LeaseScripts {
  /** Takes the key for `token` when nobody has it; true when taken. */
  acquire(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the key's expiry while `token` still holds it. */
  renew(key: string, token: string, ttlMs: number): Promise<void>;
  /** Deletes the key only while `token` still holds it (it may have expired and gone to another). */
  release(key: string, token: string): Promise<void>;
}

const SCRIPTS = {
  repoforgeLeaseAcquire: `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end return 0`,
  repoforgeLeaseRenew: `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`,
  repoforgeLeaseRelease: `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`,
};

/** What of BullMQ's client the scripts use (its own client interface, or a raw ioredis in older BullMQ). */
interface ScriptClient {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  runCommand?(name: string, args: unknown[]): Promise<unknown>;
}

/** The lease scripts, defined as Lua commands on a BullMQ client. */
export function leaseScripts(client: ScriptClient): LeaseScripts {
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  const run = (name: keyof typeof SCRIPTS, args: (string | number)[]) =>
    client.runCommand
      ? client.runCommand(name, args)
      : (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
  return {
    acquire: async (key, token, ttlMs) =>
      Number(await run('repoforgeLeaseAcquire', [key, token, ttlMs])) === 1,
    renew: async (key, token, ttlMs) => void (await run('repoforgeLeaseRenew', [key, token, ttlMs])),
    release: async (key, token) => void (await run('repoforgeLeaseRelease', [key, token])),
  };
}

export interface RedisBuildLeaseOptions {
  /** A holder that stops renewing (killed) loses the lease after this long (default 60 s). */
  ttlMs?: number;
  /** How often a waiter asks again (default 1 s). */
  pollMs?: number;
}

/** A build lease over one Redis: `SET NX PX` with a token, renewed while held, released by compare-and-delete. */
export class RedisBuildLease implements BuildLease {
  private readonly ttlMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly scripts: LeaseScripts,
    options: RedisBuildLeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.pollMs = options.pollMs ?? 1_000;
  }

  async hold<T>(key: string, fn: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const name = `repoforge:build-lease:${key}`;
    const token = randomUUID();
    for (;;) {
      options.signal?.throwIfAborted();
      if (await this.scripts.acquire(name, token, this.ttlMs)) break;
      await sleep(this.pollMs, undefined, { signal: options.signal });
    }
    const renew = setInterval(() => {
      this.scripts.renew(name, token, this.ttlMs).catch(() => {});
    }, this.ttlMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.scripts.release(name, token).catch(() => {});
    }
  }
}

/**
 * A build lease on the Redis at `url` (the queue's), over BullMQ's own client, so machines of one cluster build
 * each environment image once. `close()` when done.
 */
export async function redisBuildLease(
  url: string,
  options: RedisBuildLeaseOptions = {},
): Promise<BuildLease & { close(): Promise<void> }> {
  await assertRedisReachable(url);
  const { Queue } = await loadBullMQ();
  const queue = new Queue('repoforge-build-leases', { connection: redisConnection(url) });
  const lease = new RedisBuildLease(leaseScripts((await queue.client) as unknown as ScriptClient), options);
  return { hold: (key, fn, o) => lease.hold(key, fn, o), close: () => queue.close() };
}
