import pLimit from 'p-limit';
import type { InstanceOutcome } from './run-instance.js';
import type { InstanceTask } from './task.js';

/** Where per-instance work runs. The work is the same function everywhere (`evaluateTask`). */
export interface Executor {
  /**
   * Runs the tasks and reports each outcome as it arrives. `work` runs a task in this process; executors
   * that ship tasks elsewhere (a queue) have remote workers call the same function instead.
   */
  run(
    tasks: readonly InstanceTask[],
    work: (task: InstanceTask, signal: AbortSignal) => Promise<InstanceOutcome>,
    options: {
      signal?: AbortSignal;
      onOutcome: (task: InstanceTask, outcome: InstanceOutcome) => Promise<void>;
    },
  ): Promise<void>;
  close?(): Promise<void>;
}

/** An in-process pool of `concurrency` workers pulling tasks in order (the embedded default). */
export class LocalExecutor implements Executor {
  constructor(private readonly concurrency = 1) {}

  async run(
    tasks: readonly InstanceTask[],
    work: (task: InstanceTask, signal: AbortSignal) => Promise<InstanceOutcome>,
    options: {
      signal?: AbortSignal;
      onOutcome: (task: InstanceTask, outcome: InstanceOutcome) => Promise<void>;
    },
  ): Promise<void> {
    const signal = options.signal ?? new AbortController().signal;
    const limit = pLimit(Math.max(1, this.concurrency));
    // After an abort, the tasks still queued start nothing; the running ones see the signal.
    const one = async (task: InstanceTask) => {
      if (!signal.aborted) await options.onOutcome(task, await work(task, signal));
    };
    await Promise.all(tasks.map((task) => limit(() => one(task))));
    signal.throwIfAborted();
  }
}
