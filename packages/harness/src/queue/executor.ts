import type { Logger } from '@repoforge/sandbox';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Executor } from '../executor.js';
import type { InstanceOutcome } from '../run-instance.js';
import { errorOutcome, type InstanceTask } from '../task.js';
import { decodeOutcome, type EncodedOutcome } from './codec.js';
import {
  assertRedisReachable,
  DEFAULT_QUEUE_NAME,
  jobIdFor,
  loadBullMQ,
  redisConnection,
} from './connection.js';

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
  private queue?: Queue;
  private events?: QueueEvents;

  constructor(private readonly options: QueueExecutorOptions) {}

  private async open() {
    await assertRedisReachable(this.options.url);
    const { Queue, QueueEvents } = await loadBullMQ();
    const connection = redisConnection(this.options.url);
    const name = this.options.queueName ?? DEFAULT_QUEUE_NAME;
    this.queue ??= new Queue(name, { connection });
    this.events ??= new QueueEvents(name, { connection });
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
    return { queue: this.queue, events: this.events };
  }

  async run(
    tasks: readonly InstanceTask[],
    _work: unknown,
    options: {
      signal?: AbortSignal;
      onOutcome: (task: InstanceTask, outcome: InstanceOutcome) => Promise<void>;
    },
  ): Promise<void> {
    if (tasks.length === 0) return;
    const { queue, events } = await this.open();
    const prio = priorities(
      tasks.map((t) => t.instance.instance_id),
      this.options.expectedDurations,
    );
    const existing = await Promise.all(
      tasks.map((t) => queue.getJob(jobIdFor(t.runId, t.instance.instance_id))),
    );
    const fresh = tasks.filter((_, i) => !existing[i]);
    // One atomic bulk add, so workers already waiting see every job at once and take them by priority.
    const added = await queue.addBulk(
      fresh.map((task) => ({
        name: 'evaluate',
        data: task,
        opts: {
          jobId: jobIdFor(task.runId, task.instance.instance_id),
          priority: prio.get(task.instance.instance_id),
          attempts: this.options.attempts ?? 3,
          backoff: { type: 'fixed' as const, delay: 1000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
    const byId = new Map(added.map((j) => [j.id, j]));
    const jobs: Job[] = tasks.map(
      (t, i) => existing[i] ?? byId.get(jobIdFor(t.runId, t.instance.instance_id))!,
    );
    this.options.logger?.info('queued', { jobs: jobs.length, queue: queue.name });
    const aborted = new Promise<never>((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
    });
    await Promise.race([
      aborted,
      Promise.all(
        jobs.map(async (job, i) => {
          const task = tasks[i]!;
          let outcome: InstanceOutcome;
          try {
            const value = (await job.waitUntilFinished(events)) as EncodedOutcome;
            outcome = decodeOutcome(value);
          } catch (error) {
            // Attempts exhausted (a worker died under it each time, or it threw): an error instance.
            const reason = error instanceof Error ? error.message : String(error);
            outcome = errorOutcome(
              task.instance.instance_id,
              new Error(`queue job failed after its attempts: ${reason}`),
            );
          }
          if (!options.signal?.aborted) await options.onOutcome(task, outcome);
        }),
      ),
    ]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events?.close(), this.queue?.close()]);
  }
}
