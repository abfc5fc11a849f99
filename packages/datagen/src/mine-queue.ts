import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { JobQueue, parseQueued, type RepoLocation, startJobWorker } from '@repoforge/harness';
import { type ImageOps, type Logger, reapLeftoversBestEffort } from '@repoforge/sandbox';
import { Instance, memoAsync } from '@repoforge/schema';
import { z } from 'zod';
import type { Candidate } from './candidates.js';
import type { RejectReason } from './classify.js';
import { Evidence } from './evidence.js';
import { emptyFunnel, type Funnel } from './funnel.js';
import type { MineOptions } from './mine.js';
import { locateRepo } from './repo-location.js';
import { type Verdict, validateCandidate, validationResources } from './validate.js';

/** The queue mining jobs go through unless told otherwise (evaluation has its own). */
export const MINE_QUEUE_NAME = 'repoforge-mine';

/** Everything a worker needs to validate one candidate, as it crosses the queue (checked on arrival). */
const MineJob = z.object({
  /** The repository as the producer was given it: a path the workers can read, or a URL they clone. */
  repo: z.string(),
  repoName: z.string(),
  cacheDir: z.string().optional(),
  candidate: z.object({
    commit: z.object({
      oid: z.string(),
      parents: z.array(z.string()),
      message: z.string(),
      timestamp: z.number(),
      author: z.string(),
    }),
    parent: z.string(),
    patch: z.string(),
    testPatch: z.string(),
    testFiles: z.array(z.string()),
    codeFiles: z.array(z.string()),
  }),
  runs: z.number().int().positive().optional(),
  timeoutSec: z.number().positive().optional(),
  wholeSuite: z.boolean().optional(),
});
type MineJob = z.infer<typeof MineJob>;

/** What a worker sends back: the verdict, and what validating it added to the funnel. */
const MineJobResult = z.object({
  verdict: z.union([
    z.object({ instance: Instance }),
    z.object({ reject: z.string().transform((r) => r as RejectReason), evidence: Evidence.optional() }),
  ]),
  funnel: z.object({
    envBuilt: z.number(),
    beforeAfterRan: z.number(),
    withNetworkTests: z.number(),
    envRungs: z.record(z.string(), z.number()),
    envFailures: z.record(z.string(), z.number()),
    statements: z.record(z.string(), z.number()),
    stageMs: z.record(z.string(), z.number()),
  }),
});

/** Adds what a worker's validation counted to the producer's funnel. */
function mergeFunnel(into: Funnel, add: z.infer<typeof MineJobResult>['funnel']): void {
  into.envBuilt += add.envBuilt;
  into.beforeAfterRan += add.beforeAfterRan;
  into.withNetworkTests += add.withNetworkTests;
  for (const key of ['envRungs', 'envFailures', 'statements'] as const)
    for (const [k, v] of Object.entries(add[key])) into[key][k] = (into[key][k] ?? 0) + v;
  for (const [k, v] of Object.entries(add.stageMs))
    if (k in into.stageMs) into.stageMs[k as keyof Funnel['stageMs']] += v;
}

export interface QueueValidatorOptions {
  url: string;
  queueName?: string;
  repo: string;
  repoName: string;
  /** The output file: with the repo, it names the run's jobs, so a restarted producer collects them. */
  out: string;
  cacheDir?: string;
  runs?: number;
  timeoutSec?: number;
  wholeSuite?: boolean;
  logger?: Logger;
}

/**
 * Validation through the queue: one job per candidate, with an id from the run (repo + output) and the commit,
 * so a restarted producer collects the jobs already done and no candidate is validated twice.
 */
export function queueValidator(options: QueueValidatorOptions) {
  const jobs = new JobQueue({
    url: options.url,
    queueName: options.queueName ?? MINE_QUEUE_NAME,
    logger: options.logger,
  });
  const run = createHash('sha256')
    .update(`${options.repoName}\0${resolve(options.out)}`)
    .digest('hex')
    .slice(0, 16);
  const validate = async (cand: Candidate, funnel: Funnel, signal?: AbortSignal): Promise<Verdict> => {
    const data: MineJob = {
      repo: options.repo,
      repoName: options.repoName,
      cacheDir: options.cacheDir,
      candidate: cand,
      runs: options.runs,
      timeoutSec: options.timeoutSec,
      wholeSuite: options.wholeSuite,
    };
    const job = { id: `mine__${run}__${cand.commit.oid}`, name: 'validate', data };
    const back = parseQueued(
      MineJobResult,
      await jobs.submit<MineJob, unknown>(job, { signal }),
      'a mining result',
    );
    mergeFunnel(funnel, back.funnel);
    return back.verdict;
  };
  return { validate, close: () => jobs.close() };
}

export interface MineWorkerOptions
  extends Pick<MineOptions, 'envBuilder' | 'createSandbox' | 'reapLeftovers' | 'logger' | 'onProgress'> {
  url: string;
  queueName?: string;
  /** Candidates at once in this process (default 1). */
  concurrency?: number;
  /** Where repos given as URLs are cloned (default `.repoforge/repos`). */
  cacheDir?: string;
  /** The image engine (one with a registry shares environment images with the other workers). */
  images?: ImageOps;
  /** This worker's statement sources (a token, an LLM rewriter): they do not cross the queue. */
  statement?: MineOptions['statement'];
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * A mining worker (`repoforge datagen worker`): validates candidates from the queue with the same
 * `validateCandidate` a one-process run uses, keeping its environments and sandboxes warm across jobs.
 */
export async function runMineWorker(options: MineWorkerOptions): Promise<{ close(): Promise<void> }> {
  // A worker restarted after kill -9 (systemd, a container runtime) first removes what the dead one left.
  await reapLeftoversBestEffort({
    reap: options.reapLeftovers,
    dockerDefault: !options.createSandbox,
    logger: options.logger,
  });
  const concurrency = options.concurrency ?? 1;
  const resources = validationResources(options, concurrency);
  const locations = new Map<string, Promise<RepoLocation>>();
  let done = 0;
  const handle = async (job: { id: string; data: unknown }) => {
    const data = parseQueued(MineJob, job.data, 'a mining job');
    const location = await memoAsync(locations, data.repo, () =>
      locateRepo({ repo: data.repo, cacheDir: data.cacheDir ?? options.cacheDir }, data.repoName),
    );
    const id = data.candidate.commit.oid;
    options.onProgress?.({ type: 'working', id, what: `job ${job.id}` });
    const funnel = emptyFunnel();
    const ctx = {
      repo: data.repo,
      out: '',
      runs: data.runs,
      timeoutSec: data.timeoutSec,
      wholeSuite: data.wholeSuite,
      statement: options.statement,
      logger: options.logger,
      ...resources,
    };
    const verdict = await validateCandidate(data.candidate, data.repoName, location, ctx, funnel);
    options.onProgress?.({
      type: 'done',
      id,
      result: 'instance' in verdict ? 'validated' : verdict.reject,
      done: ++done,
    });
    return { verdict, funnel };
  };
  const queueName = options.queueName ?? MINE_QUEUE_NAME;
  return startJobWorker({ ...options, queueName, concurrency }, handle, () => resources.pool.close());
}
