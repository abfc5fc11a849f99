import { describe, expect, it } from 'vitest';
import { type ExecResult, type Sandbox, SandboxPool } from './index.js';

/** A minimal in-memory sandbox: enough to watch the pool's bookkeeping. */
function fakeSandbox(n: number, log: string[]): Sandbox {
  const sb = {
    id: `fake-${n}`,
    backend: 'fake',
    image: 'img',
    workdir: '/w',
    dirty: false,
    closed: false,
    async exec(): Promise<ExecResult> {
      sb.dirty = true;
      return {
        exitCode: 0,
        stdout: '',
        stderr: '',
        truncated: false,
        timedOut: false,
        oomKilled: false,
        durationMs: 0,
      };
    },
    async writeFiles() {
      sb.dirty = true;
    },
    async readFile() {
      return new Uint8Array();
    },
    async copyIn() {},
    async copyOut() {},
    async close() {
      sb.closed = true;
      log.push(`close ${sb.id}`);
    },
    [Symbol.asyncDispose]() {
      return sb.close();
    },
  };
  return sb;
}

function makePool(max = 3, warm = 1) {
  const log: string[] = [];
  let n = 0;
  const pool = new SandboxPool({
    warm,
    max,
    create: async (key) => {
      log.push(`create ${key}`);
      return fakeSandbox(n++, log);
    },
  });
  return { pool, log };
}

describe('SandboxPool', () => {
  it('hands out warm sandboxes and never a dirty one', async () => {
    const { pool } = makePool();
    await pool.prewarm(['img']);
    const a = await pool.acquire('img');
    await a.sandbox.exec('x');
    await a.release();
    await pool.prewarm(['img']);
    await new Promise((r) => setTimeout(r, 10));
    await pool.prewarm(['img']);
    const b = await pool.acquire('img');
    expect(b.sandbox.id).not.toBe(a.sandbox.id);
    expect(b.sandbox.dirty).toBe(false);
    expect(a.sandbox.closed).toBe(true);
    expect(pool.stats.replaced).toBe(1);
    await b.release();
    await pool.close();
  });

  it('reuses a sandbox released clean', async () => {
    const { pool } = makePool(3, 0);
    const a = await pool.acquire('img');
    await a.release();
    const b = await pool.acquire('img');
    expect(b.sandbox.id).toBe(a.sandbox.id);
    await pool.close();
  });

  it('is bounded: a caller waits at max until a release', async () => {
    const { pool } = makePool(2, 0);
    const a = await pool.acquire('img');
    const b = await pool.acquire('img');
    let third: string | undefined;
    const waiting = pool.acquire('img').then((l) => {
      third = l.sandbox.id;
      return l;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBeUndefined();
    expect(pool.size).toBe(2);
    await a.sandbox.exec('dirty');
    await a.release();
    const c = await waiting;
    expect(c.sandbox.id).not.toBe(a.sandbox.id);
    expect(pool.size).toBeLessThanOrEqual(2);
    await b.release();
    await c.release();
    await pool.close();
  });

  it('drains on close and refuses new leases; waiters are rejected', async () => {
    const { pool, log } = makePool(1, 1);
    await pool.prewarm(['img']);
    const a = await pool.acquire('img');
    const waiting = pool.acquire('img');
    await pool.close();
    await expect(waiting).rejects.toMatchObject({ code: 'SANDBOX_CLOSED' });
    await a.release();
    await pool.close();
    expect(a.sandbox.closed).toBe(true);
    await expect(pool.acquire('img')).rejects.toMatchObject({ code: 'SANDBOX_CLOSED' });
    expect(log.filter((l) => l.startsWith('close')).length).toBe(
      log.filter((l) => l.startsWith('create')).length,
    );
  });

  it('an acquire can be aborted while waiting', async () => {
    const { pool } = makePool(1, 0);
    const a = await pool.acquire('img');
    const ac = new AbortController();
    const p = pool.acquire('img', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await a.release();
    await pool.close();
  });

  it('an aborted waiter leaves the queue: the next release reaches a live waiter', async () => {
    const { pool } = makePool(1, 0);
    const a = await pool.acquire('img');
    const ac = new AbortController();
    const dead = pool.acquire('img', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(dead).rejects.toThrow('stop');
    let acquired = false;
    const live = pool.acquire('img').then((l) => {
      acquired = true;
      return l;
    });
    await a.release();
    // The hand-over is all microtasks (the released sandbox goes idle, the waiter takes it): a timer runs after.
    await new Promise((r) => setTimeout(r, 0));
    expect(acquired).toBe(true);
    await (await live).release();
    await pool.close();
  });
});
