/** What one try gave: a value (stop), or another try wanted, after `waitMs` when the answer says how long. */
export type TryResult<T> = { done: true; value: T } | { done: false; waitMs?: number };

export interface RetryOptions {
  /** Tries in all, the first included. */
  tries: number;
  /** The pause before try `n + 1` after try `n` (0-based) asked again without saying how long (default none). */
  backoffMs?: (n: number) => number;
  signal?: AbortSignal;
  /** The clock (tests inject one): default an abortable setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

// No node: import, so the schema's main entry stays platform-neutral.
const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The one retry loop of RepoForge: runs `run(n)` until it is done or `tries` are spent, pausing between tries
 * as the try or `backoffMs` says. Returns the value, or `undefined` when every try asked again; an error thrown
 * by a try ends the loop (retry is for answers that say "again", not for hiding failures). Honours `signal`.
 */
export async function retry<T>(
  run: (n: number) => Promise<TryResult<T>>,
  options: RetryOptions,
): Promise<T | undefined> {
  const sleep = options.sleep ?? realSleep;
  for (let n = 0; n < options.tries; n++) {
    options.signal?.throwIfAborted();
    const result = await run(n);
    if (result.done) return result.value;
    const pause = result.waitMs ?? options.backoffMs?.(n) ?? 0;
    if (n + 1 < options.tries && pause > 0) await sleep(pause, options.signal);
  }
  return undefined;
}
