/**
 * `work`'s value, or a rejection with the signal's reason as soon as it aborts: for work that does not watch
 * the signal itself (a back-off, a wait on another machine's job). The work goes on; its late result or error
 * is dropped.
 */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {}); // settled after an abort: nobody is waiting for it any more
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
