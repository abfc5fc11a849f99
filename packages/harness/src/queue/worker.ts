import { join } from 'node:path';
import {
  createSandbox,
  type ImageOps,
  type Logger,
  type ReapLeftovers,
  reapLeftoversBestEffort,
  type Sandbox,
  type SandboxOptions,
  SandboxPool,
} from '@repoforge/sandbox';
import type { OnProgress } from '@repoforge/schema';
import { EnvImages } from '../env-images.js';
import { EnvValidations } from '../env-validation.js';
import { evalSandboxCreator } from '../eval-sandbox.js';
import type { RepoSource } from '../repo-source.js';
import type { InstanceOutcome } from '../run-instance.js';
import { evaluateTask } from '../task.js';
import { decodeTask, encodeOutcome } from './codec.js';
import { DEFAULT_QUEUE_NAME } from './connection.js';
import { type JobWorkerHandle, startJobWorker } from './jobs.js';

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Instances at once on this machine (default 1). */
  concurrency?: number;
  repoSource: RepoSource;
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  /** Removes sandboxes whose owner process is gone (a killed predecessor's), at start (default with Docker: all such). */
  reapLeftovers?: ReapLeftovers;
  /** The image engine environments are built with (default Docker's; give one with a registry to share images). */
  images?: ImageOps;
  /** How long a job's lock lasts without renewal: a worker killed mid-instance gives its job back after this. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. */
  stalledIntervalMs?: number;
  /** Cap on an outcome's compressed size in the queue. */
  resultCapBytes?: number;
  /** Where this worker keeps gold validations of environments (default `.repoforge/env-validations`). */
  validations?: EnvValidations;
  logger?: Logger;
  /** `working` as a job starts (what: `job <id>`), `done` with its outcome; no `start`: a worker's total is open. */
  onProgress?: OnProgress<InstanceOutcome>;
}

/** A running worker; `close()` finishes the jobs in hand (graceful), then stops. */
export type QueueWorkerHandle = JobWorkerHandle;

/**
 * Starts a worker that evaluates queued instances with the same `evaluateTask` a local run uses. It needs
 * only the queue URL, Docker, and the repos (a cache dir or network to clone); environment images are built
 * locally on first use, by content hash, so every worker converges on the same images.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  // A worker restarted after kill -9 (systemd, a container runtime) first removes what the dead one left.
  await reapLeftoversBestEffort({
    reap: options.reapLeftovers,
    dockerDefault: !options.createSandbox,
    logger: options.logger,
  });
  const make = options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  const envImages = new EnvImages({ createSandbox: make, builder: options.images, logger: options.logger });
  const concurrency = options.concurrency ?? 1;
  const validations = options.validations ?? new EnvValidations(join('.repoforge', 'env-validations'));
  const pool = new SandboxPool({
    warm: 1,
    max: concurrency + 1,
    create: evalSandboxCreator(make),
    logger: options.logger,
  });
  let done = 0;
  return startJobWorker(
    { ...options, queueName: options.queueName ?? DEFAULT_QUEUE_NAME, concurrency },
    async (job) => {
      const task = decodeTask(job.data);
      const id = task.instance.instance_id;
      options.onProgress?.({ type: 'working', id, what: `job ${job.id}` });
      const outcome = await evaluateTask(
        { ...task },
        { repoSource: options.repoSource, envImages, pool, validations, logger: options.logger },
      );
      options.onProgress?.({ type: 'done', id, result: outcome, done: ++done });
      return encodeOutcome(outcome, options.resultCapBytes);
    },
    () => pool.close(),
  );
}
