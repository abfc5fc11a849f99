import type { Logger } from '@repoforge/sandbox';
import type { Executor } from '../executor.js';
import type { InstanceOutcome } from '../run-instance.js';
import { errorOutcome, type InstanceTask } from '../task.js';
import { decodeOutcome, type EncodedOutcome } from './codec.js';
import { DEFAULT_QUEUE_NAME, jobIdFor } from './connection.js';
import { JobQueue } from './jobs.js';

export interface QueueExecutorOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  queueName?: string;
  /** Tries per instance when a worker dies under it (stalled) or the job throws (default 3). */
  attempts?: number;
  /** Expected duration per instance id (ms), e.g. from earlier runs: the longest go first. */
  expectedDurations?: ReadonlyMap<string, number>;
  logger?: Logger;
}

/**
 * Priority ranks: longest expected duration first (BullMQ: 1 is the highest). Unknown durations count as the
 * mean of the known ones, and lose ties to known ones.
 */
export function priorities(
  ids: readonly string[],
  expected: ReadonlyMap<string, number> = new Map(),
): Map<string, number> {
  const known = ids.map((id) => expected.get(id)).filter((d): d is number => d !== undefined);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const key = (id: string) => expected.get(id) ?? mean;
  const ranked = [...ids].sort(
    (a, b) => key(b) - key(a) || Number(expected.has(b)) - Number(expected.has(a)),
  );
  return new Map(ranked.map((id, i) => [id, i + 1]));
}

/**
 * Runs instances on BullMQ workers (`repoforge eval worker`) on any number of machines. One job per instance,
 * with a job id from run id + instance id: a restarted producer finds the jobs it (or a crashed producer)
 * enqueued, collects the finished ones and waits for the rest. Results come back as job return values.
 */
export class QueueExecutor implements Executor {
  private readonly jobs: JobQueue;

  constructor(private readonly options: QueueExecutorOptions) {
    this.jobs = new JobQueue({
      url: options.url,
      queueName: options.queueName ?? DEFAULT_QUEUE_NAME,
      attempts: options.attempts,
      logger: options.logger,
    });
  }

  async run(
    tasks: readonly InstanceTask[],
    _work: unknown,
    options: {
      signal?: AbortSignal;
      onOutcome: (task: InstanceTask, outcome: InstanceOutcome) => Promise<void>;
    },
  ): Promise<void> {
    const prio = priorities(
      tasks.map((t) => t.instance.instance_id),
      this.options.expectedDurations,
    );
    const jobs = tasks.map((task) => ({
      id: jobIdFor(task.runId, task.instance.instance_id),
      name: 'evaluate',
      data: task,
      priority: prio.get(task.instance.instance_id),
    }));
    await this.jobs.run<InstanceTask, EncodedOutcome>(jobs, {
      signal: options.signal,
      onResult: async (i, result) => {
        const task = tasks[i]!;
        // Attempts exhausted (a worker died under it each time, or it threw): an error instance.
        const outcome =
          'value' in result
            ? decodeOutcome(result.value)
            : errorOutcome(
                task.instance.instance_id,
                new Error(`queue job failed after its attempts: ${result.error.message}`),
              );
        await options.onOutcome(task, outcome);
      },
    });
  }

  async close(): Promise<void> {
    await this.jobs.close();
  }
}
