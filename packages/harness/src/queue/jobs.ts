import type { Logger } from '@repoforge/sandbox';
import { untilAborted } from '@repoforge/schema';
import type { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { HarnessError } from '../errors.js';
import { assertRedisReachable, loadBullMQ, redisConnection } from './connection.js';

/** One unit of work: its stable id (the same work always gets the same id), kind and payload. */
export interface QueuedJob<T> {
  id: string;
  name: string;
  data: T;
  /** BullMQ priority: 1 is taken first. */
  priority?: number;
}

/** What came back for a job: its return value, or the error of its last attempt. */
export type JobResult<R> = { value: R } | { error: Error };

export interface JobQueueOptions {
  /** `redis://HOST:PORT[/DB]`. */
  url: string;
  queueName: string;
  /** Tries per job when a worker dies under it (stalled) or it throws (default 3). */
  attempts?: number;
  logger?: Logger;
}

/**
 * The producer side of a BullMQ queue, shared by every distributed command (evaluation, mining): jobs are added
 * by stable id, so a restarted producer finds the jobs it (or a crashed producer) enqueued, collects the
 * finished ones and waits for the rest; a job is never added twice.
 */
export class JobQueue {
  private opened?: Promise<{ queue: Queue; events: QueueEvents }>;

  constructor(private readonly options: JobQueueOptions) {}

  /** Connects once, however many callers ask at the same time. */
  private open() {
    this.opened ??= (async () => {
      await assertRedisReachable(this.options.url);
      const { Queue, QueueEvents } = await loadBullMQ();
      const connection = redisConnection(this.options.url);
      const queue = new Queue(this.options.queueName, { connection });
      const events = new QueueEvents(this.options.queueName, { connection });
      // Each job in flight (a scheduler may keep hundreds) listens for the queue closing: not a leak.
      queue.setMaxListeners(0);
      events.setMaxListeners(0);
      await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
      return { queue, events };
    })();
    return this.opened;
  }

  private jobOptions(job: QueuedJob<unknown>) {
    return {
      jobId: job.id,
      priority: job.priority,
      attempts: this.options.attempts ?? 3,
      backoff: { type: 'fixed' as const, delay: 1000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Enqueues one job (unless a job of its id is there: then that one's outcome is the answer) and resolves with
   * its return value, or rejects with JOB_FAILED carrying the error of its last attempt. For work dispatched one job at a time
   * (rollout samples) by a scheduler that keeps its own order.
   */
  async submit<T, R>(job: QueuedJob<T>, options: { signal?: AbortSignal } = {}): Promise<R> {
    options.signal?.throwIfAborted();
    const { queue, events } = await this.open();
    const handle =
      (await queue.getJob(job.id)) ?? (await queue.add(job.name, job.data, this.jobOptions(job)));
    try {
      return (await untilAborted(handle.waitUntilFinished(events), options.signal)) as R;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new HarnessError(
        'JOB_FAILED',
        `queued job ${job.id} failed after its attempts: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  /** Enqueues `jobs` (those not already there) and calls `onResult` as each one finishes. */
  async run<T, R>(
    jobs: readonly QueuedJob<T>[],
    options: { signal?: AbortSignal; onResult: (index: number, result: JobResult<R>) => Promise<void> },
  ): Promise<void> {
    if (jobs.length === 0) return;
    const { queue, events } = await this.open();
    const existing = await Promise.all(jobs.map((j) => queue.getJob(j.id)));
    // One atomic bulk add, so workers already waiting see every job at once and take them by priority.
    const added = await queue.addBulk(
      jobs
        .filter((_, i) => !existing[i])
        .map((job) => ({ name: job.name, data: job.data, opts: this.jobOptions(job) })),
    );
    const byId = new Map(added.map((j) => [j.id, j]));
    const handles: Job[] = jobs.map((j, i) => existing[i] ?? byId.get(j.id)!);
    this.options.logger?.info('queued', { jobs: handles.length, queue: queue.name });
    const collect = async (job: Job, i: number) => {
      let result: JobResult<R>;
      try {
        result = { value: (await job.waitUntilFinished(events)) as R };
      } catch (error) {
        result = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      if (!options.signal?.aborted) await options.onResult(i, result);
    };
    await untilAborted(Promise.all(handles.map(collect)), options.signal);
  }

  async close(): Promise<void> {
    const opened = await this.opened?.catch(() => undefined);
    await Promise.allSettled([opened?.events.close(), opened?.queue.close()]);
  }
}

export interface JobWorkerOptions {
  url: string;
  queueName: string;
  /** Jobs at once in this process (default 1). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a worker killed mid-job gives its job back after this. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. */
  stalledIntervalMs?: number;
  logger?: Logger;
}

/** A running worker; `close()` finishes the jobs in hand (graceful), then releases what the worker held. */
export interface JobWorkerHandle {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The worker side: takes jobs from the queue and returns what `handle` resolves (the job's result).
 * `release` frees what the worker holds (a sandbox pool) on close, and when the worker cannot start.
 */
export async function startJobWorker(
  options: JobWorkerOptions,
  handle: (job: { id: string; name: string; data: unknown }) => Promise<unknown>,
  release: () => Promise<void> = async () => {},
): Promise<JobWorkerHandle> {
  const worker = await newWorker(options, handle).catch(async (error) => {
    await release();
    throw error;
  });
  return {
    worker,
    async close() {
      await worker.close();
      await release();
    },
  };
}

async function newWorker(
  options: JobWorkerOptions,
  handle: (job: { id: string; name: string; data: unknown }) => Promise<unknown>,
): Promise<Worker> {
  await assertRedisReachable(options.url);
  const { Worker } = await loadBullMQ();
  const worker = new Worker(
    options.queueName,
    (job) => handle({ id: job.id ?? '', name: job.name, data: job.data }),
    {
      connection: { ...redisConnection(options.url), maxRetriesPerRequest: null },
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => options.logger?.warn('queue worker error', { error: String(error) }));
  await worker.waitUntilReady();
  return worker;
}
