/**
 * Runs per-instance work. The harness hands every instance to an Executor; the work function is the same
 * whether it runs in this process (LocalExecutor) or on queue workers (distributed executors).
 */
export interface Executor {
  run<T, R>(
    tasks: readonly T[],
    work: (task: T, signal: AbortSignal) => Promise<R>,
    options?: { signal?: AbortSignal; onResult?: (task: T, result: PromiseSettledResult<R>) => void },
  ): Promise<PromiseSettledResult<R>[]>;
}

/** An in-process pool of `concurrency` workers pulling tasks in order (the embedded default). */
export class LocalExecutor implements Executor {
  constructor(private readonly concurrency = 1) {}

  async run<T, R>(
    tasks: readonly T[],
    work: (task: T, signal: AbortSignal) => Promise<R>,
    options: { signal?: AbortSignal; onResult?: (task: T, result: PromiseSettledResult<R>) => void } = {},
  ): Promise<PromiseSettledResult<R>[]> {
    const results: PromiseSettledResult<R>[] = new Array(tasks.length);
    const signal = options.signal ?? new AbortController().signal;
    let next = 0;
    const worker = async () => {
      while (next < tasks.length && !signal.aborted) {
        const i = next++;
        const task = tasks[i]!;
        try {
          results[i] = { status: 'fulfilled', value: await work(task, signal) };
        } catch (reason) {
          results[i] = { status: 'rejected', reason };
        }
        options.onResult?.(task, results[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.concurrency, tasks.length)) }, worker));
    signal.throwIfAborted();
    return results;
  }
}
