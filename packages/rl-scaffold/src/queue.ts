import { createHash } from 'node:crypto';
import {
  JobQueue,
  type JobWorkerHandle,
  parseQueued,
  type RepoSource,
  startJobWorker,
} from '@repoforge/harness';
import {
  createSandbox,
  type Logger,
  type ReapLeftovers,
  reapLeftoversBestEffort,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { EnvSpec, Instance, type OnProgress, RepoForgeError, Trajectory } from '@repoforge/schema';
import { z } from 'zod';
import type { RunSample } from './engine.js';
import { HttpPolicy, type Policy } from './policy.js';
import { type EpisodeSettings, gradedSample } from './sample.js';
import { rolloutSandboxPool } from './sandbox-pool.js';

/** The queue rollout samples go through unless told otherwise (evaluation and mining have their own). */
export const ROLLOUT_QUEUE_NAME = 'repoforge-rollout';

/** The model server a run's episodes talk to (its key stays with each worker: it never crosses the queue). */
export const PolicyEndpoint = z.object({ baseUrl: z.string(), model: z.string() });
export type PolicyEndpoint = z.infer<typeof PolicyEndpoint>;

/** One (instance, sample) as it crosses the queue (checked on arrival). */
const SampleJobData = z.object({
  instance: Instance,
  sample: z.number().int().nonnegative(),
  policyVersion: z.union([z.string(), z.number()]),
  endpoint: PolicyEndpoint.optional(),
  settings: z
    .object({
      maxTurns: z.number().int().positive(),
      tokenBudget: z.number().int().positive(),
      keepLastTurns: z.number().int().positive(),
      reward: z.enum(['binary', 'f2p_fraction']),
      randomWorkdir: z.boolean(),
    })
    .partial(),
  /** The instance's environment when the producer was given it; else the worker plans it. */
  env: EnvSpec.optional(),
});
type SampleJobData = z.infer<typeof SampleJobData>;

export interface QueuedSamplesOptions {
  url: string;
  queueName?: string;
  /**
   * Names the run's jobs, so a restarted producer collects the samples already done: the same run (output,
   * endpoint, settings) gives the same name.
   */
  run: string;
  endpoint?: PolicyEndpoint;
  settings?: EpisodeSettings;
  /** An instance's environment, when the producer knows it (else each worker plans it). */
  envFor?: (instance: Instance) => EnvSpec | undefined;
  /** Runs of a sample whose worker died or whose engine went away (default 3). */
  attempts?: number;
  logger?: Logger;
}

/** A stable run name from what makes two runs the same one. */
export function rolloutRunId(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * The producer side of distributed rollouts: a `runSample` for `RolloutEngine` that sends each (instance, sample)
 * to the queue and resolves with the trajectory a worker graded. Scheduling, groups, staleness and the
 * trainer-facing output stay with the engine in this process; a sample whose worker is killed is run again by
 * another (the queue's stalled-job check), and one that fails on every attempt is recorded failed, with why.
 */
export function queuedSamples(options: QueuedSamplesOptions): {
  runSample: RunSample;
  close(): Promise<void>;
} {
  const jobs = new JobQueue({
    url: options.url,
    queueName: options.queueName ?? ROLLOUT_QUEUE_NAME,
    attempts: options.attempts,
    logger: options.logger,
  });
  const runSample: RunSample = async (instance, sample, policyVersion, signal) => {
    const data: SampleJobData = {
      instance,
      sample,
      policyVersion,
      endpoint: options.endpoint,
      settings: options.settings ?? {},
      env: options.envFor?.(instance),
    };
    const id = `rollout__${options.run}__${instance.instance_id}__${sample}__v${policyVersion}`;
    const job = { id: id.replace(/[^\w.-]/g, '_'), name: 'sample', data };
    const value = await jobs.submit<SampleJobData, unknown>(job, { signal });
    return parseQueued(Trajectory, value, 'a rollout trajectory');
  };
  return { runSample, close: () => jobs.close() };
}

export interface RolloutWorkerOptions {
  url: string;
  queueName?: string;
  /** Samples at once in this process (default 1). */
  concurrency?: number;
  repoSource: RepoSource;
  /** The environment of an instance the producer sent none for (e.g. planned by @repoforge/deps). */
  envFor: (instance: Instance, signal?: AbortSignal) => Promise<EnvSpec>;
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  /** Removes sandboxes whose owner process is gone (a killed predecessor's), at start. */
  reapLeftovers?: ReapLeftovers;
  /** The policy for a job's endpoint (default an HttpPolicy with `apiKey`). */
  policyFor?: (endpoint: PolicyEndpoint | undefined) => Policy;
  /** The key this worker sends its model server (e.g. $OPENAI_API_KEY). */
  apiKey?: string;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  logger?: Logger;
  /** `working` as a sample starts (id `instance#sample`), `done` with its reward. */
  onProgress?: OnProgress<number>;
  /** Replaces the sandboxed episode + grading, as the engine's `runSample` does (simulations, benchmarks). */
  runSample?: RunSample;
}

/** The policy of each endpoint, made once per worker. */
function policies(options: RolloutWorkerOptions): (endpoint: PolicyEndpoint | undefined) => Policy {
  if (options.policyFor) return options.policyFor;
  const made = new Map<string, Policy>();
  return (endpoint) => {
    if (!endpoint)
      throw new RepoForgeError(
        'QUEUE_PAYLOAD_INVALID',
        'a rollout job that names no policy endpoint, for a worker without policyFor',
      );
    const key = `${endpoint.baseUrl}\0${endpoint.model}`;
    if (!made.has(key)) made.set(key, new HttpPolicy({ ...endpoint, apiKey: options.apiKey }));
    return made.get(key)!;
  };
}

/**
 * A rollout worker (`repoforge worker --roles rollout`): holds the sandboxes, runs each queued sample's episode
 * and grades it (`gradedSample`, as a one-process run does), and returns the trajectory. An engine fault is
 * thrown, so the queue runs the sample again; a worker killed mid-episode gives its sample back after the lock.
 */
export async function runRolloutWorker(options: RolloutWorkerOptions): Promise<JobWorkerHandle> {
  await reapLeftoversBestEffort({
    reap: options.reapLeftovers,
    dockerDefault: !options.createSandbox,
    logger: options.logger,
  });
  const concurrency = options.concurrency ?? 1;
  const make = options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  const pool = rolloutSandboxPool({ createSandbox: make, concurrency });
  const policyFor = policies(options);
  let done = 0;
  const handle = async (job: { id: string; data: unknown }) => {
    const data = parseQueued(SampleJobData, job.data, 'a rollout job');
    const id = `${data.instance.instance_id}#${data.sample}`;
    options.onProgress?.({ type: 'working', id, what: `job ${job.id}` });
    const t = options.runSample
      ? await options.runSample(data.instance, data.sample, data.policyVersion)
      : await gradedSample({ instance: data.instance, sample: data.sample }, data.policyVersion, {
          ...data.settings,
          policy: policyFor(data.endpoint),
          envFor: async (instance, signal) => data.env ?? options.envFor(instance, signal),
          repoSource: options.repoSource,
          pool,
        });
    options.onProgress?.({ type: 'done', id, result: t.reward ?? 0, done: ++done });
    return t;
  };
  const queueName = options.queueName ?? ROLLOUT_QUEUE_NAME;
  return startJobWorker({ ...options, queueName, concurrency }, handle, () => pool.close());
}
