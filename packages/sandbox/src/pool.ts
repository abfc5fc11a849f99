import { SandboxError } from './errors.js';
import type { Logger, Sandbox } from './types.js';

/** How the pool makes sandboxes and how many it keeps. */
export interface SandboxPoolOptions {
  /** Makes a fresh sandbox for a key (usually an image name). */
  create: (key: string, signal?: AbortSignal) => Promise<Sandbox>;
  /** Idle sandboxes kept ready per key (default 1). */
  warm?: number;
  /** Upper bound on live sandboxes (idle + leased + being created), all keys together (default 8). */
  max?: number;
  logger?: Logger;
}

/** A sandbox handed out by the pool; give it back with `release()` or `await using`. */
export interface PoolLease extends AsyncDisposable {
  readonly sandbox: Sandbox;
  release(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Keeps warm sandboxes per key and hands them out. A released sandbox that was used (dirty) is destroyed and
 * replaced in the background: the pool never hands out a sandbox something already ran in.
 */
export class SandboxPool {
  private readonly idle = new Map<string, Sandbox[]>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly waiters: Waiter[] = [];
  private live = 0;
  private closed = false;
  readonly stats = { created: 0, reused: 0, replaced: 0, createErrors: 0 };

  constructor(private readonly options: SandboxPoolOptions) {}

  private get max(): number {
    return this.options.max ?? 8;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    p.finally(() => this.pending.delete(p)).catch(() => {});
    return p;
  }

  private async make(key: string, signal?: AbortSignal): Promise<Sandbox> {
    this.live++;
    try {
      const sb = await this.options.create(key, signal);
      this.stats.created++;
      return sb;
    } catch (error) {
      this.live--;
      this.wake();
      throw error;
    }
  }

  /** Starts background creations until `key` has its warm count (within `max`). */
  private refill(key: string): void {
    const want = this.options.warm ?? 1;
    const have = (this.idle.get(key)?.length ?? 0) + this.creatingFor(key);
    for (let i = have; i < want && this.live < this.max && !this.closed; i++) {
      this.creating.set(key, this.creatingFor(key) + 1);
      this.track(
        this.make(key)
          .then((sb) => this.putIdle(key, sb))
          .catch((error) => {
            this.stats.createErrors++;
            this.options.logger?.warn('pool: warm sandbox creation failed', { key, error: String(error) });
          })
          .finally(() => this.creating.set(key, this.creatingFor(key) - 1)),
      );
    }
  }

  private readonly creating = new Map<string, number>();
  private creatingFor(key: string): number {
    return this.creating.get(key) ?? 0;
  }

  private putIdle(key: string, sb: Sandbox): void {
    if (this.closed) {
      void this.destroy(sb);
      return;
    }
    const list = this.idle.get(key) ?? [];
    list.push(sb);
    this.idle.set(key, list);
    this.wake();
  }

  private wake(): void {
    this.waiters.shift()?.resolve();
  }

  private async destroy(sb: Sandbox): Promise<void> {
    try {
      await sb.close();
    } catch (error) {
      this.options.logger?.warn('pool: closing a sandbox failed', { id: sb.id, error: String(error) });
    } finally {
      this.live--;
      this.wake();
    }
  }

  /** Fills the warm set for these keys now, and waits for it. */
  async prewarm(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.refill(k);
    await Promise.allSettled([...this.pending]);
  }

  /** Hands out a clean sandbox for `key`: a warm one when there is one, else a new one (waiting at `max`). */
  async acquire(key: string, options: { signal?: AbortSignal } = {}): Promise<PoolLease> {
    for (;;) {
      if (this.closed) throw new SandboxError('SANDBOX_CLOSED', 'the pool is closed');
      options.signal?.throwIfAborted();
      const idle = this.idle.get(key);
      let sb = idle?.pop();
      while (sb && (sb.closed || sb.dirty)) {
        void this.destroy(sb);
        sb = idle?.pop();
      }
      if (sb) {
        this.stats.reused++;
        // Refill now only if that was the last warm one; otherwise on release, so that creating containers
        // does not compete with the caller's first exec on the engine.
        if (!idle?.length) this.refill(key);
        return this.lease(key, sb);
      }
      if (this.live < this.max) {
        const fresh = await this.track(this.make(key, options.signal));
        this.refill(key);
        return this.lease(key, fresh);
      }
      // At capacity: evict another key's idle sandbox if any, else wait for a release.
      const victim = [...this.idle.entries()].find(([k, l]) => k !== key && l.length > 0);
      if (victim) {
        await this.destroy(victim[1].pop()!);
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const done = () => options.signal?.removeEventListener('abort', onAbort);
        const waiter: Waiter = {
          resolve: () => {
            done();
            resolve();
          },
          reject: (e) => {
            done();
            reject(e);
          },
        };
        // An aborted waiter leaves the queue: a wake spent on it would leave a live waiter hanging.
        const onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          waiter.reject(options.signal?.reason);
        };
        this.waiters.push(waiter);
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  private lease(key: string, sandbox: Sandbox): PoolLease {
    let done = false;
    const release = async () => {
      if (done) return;
      done = true;
      if (sandbox.dirty || sandbox.closed || this.closed) {
        // Destroyed and replaced in the background: the caller does not wait for container removal.
        this.stats.replaced++;
        this.track(this.destroy(sandbox).then(() => this.refill(key)));
      } else this.putIdle(key, sandbox);
    };
    return { sandbox, release, [Symbol.asyncDispose]: release };
  }

  /** Number of live sandboxes (idle, leased, being created). */
  get size(): number {
    return this.live;
  }

  /** Stops handing out, waits for creations, closes every idle sandbox. Leased ones close on release. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0))
      w.reject(new SandboxError('SANDBOX_CLOSED', 'the pool is closed'));
    // Settling work can start more (a destroy then a refill): wait until nothing is left in flight.
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((sb) => this.destroy(sb)));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
