import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnvProvider } from '@repoforge/deps';
import type { RepoLocation } from '@repoforge/harness';
import {
  type Logger,
  type ReapLeftovers,
  reapLeftoversBestEffort,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { formatJsonl, Instance, type OnProgress, serializeInstance } from '@repoforge/schema';
import { acquireRunLock, readJsonFile, writeFileAtomic } from '@repoforge/schema/node';
import git from 'isomorphic-git';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { PackIndexCache } from './blob-size.js';
import { type Candidate, toCandidate } from './candidates.js';
import type { CandidateLimits, RejectReason, TestFileRules } from './classify.js';
import { Evidence } from './evidence.js';
import { emptyFunnel, type Funnel, reject, timed } from './funnel.js';
import { walkHistory } from './history.js';
import { queueValidator } from './mine-queue.js';
import { locateRepo } from './repo-location.js';
import type { StatementOptions } from './statement.js';
import { validateCandidate, validationResources } from './validate.js';

export interface MineOptions {
  /** A local repository path, or an https URL (cloned with isomorphic-git into `cacheDir`). */
  repo: string;
  /** `owner/name` (default: from the URL, or `local/<folder>`). */
  repoName?: string;
  /** Output JSONL (written atomically; re-running resumes from `<out>.state.json`). */
  out: string;
  cacheDir?: string;
  branch?: string;
  since?: Date;
  maxCommits?: number;
  /** Validate at most N candidates (the newest N), the rest are left for a later run. */
  maxCandidates?: number;
  /** Candidates validated at once (default 1). */
  workers?: number;
  /**
   * Validate through a BullMQ queue (`repoforge datagen worker` processes on any machine) instead of in this
   * process; results, the output and its resume state stay here.
   */
  queue?: { url: string; queueName?: string };
  /** Runs of each side (default 3): a test's status must agree in every run. */
  runs?: number;
  timeoutSec?: number;
  /** Validate with whole suites instead of the candidate's test files (PASS_TO_PASS then spans the suite). */
  wholeSuite?: boolean;
  limits?: CandidateLimits;
  rules?: TestFileRules;
  /** Environments (default: Docker images via EnvBuilder; a LocalEnvBuilder for the local backend). */
  envBuilder?: EnvProvider;
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  /**
   * Removes sandboxes whose owner process is gone (a killed earlier miner's), once the output's lock is held.
   * Default with Docker sandboxes: `reapSandboxes()` from `@repoforge/sandbox/docker`.
   */
  reapLeftovers?: ReapLeftovers;
  statement?: Omit<StatementOptions, 'signal'>;
  logger?: Logger;
  /**
   * `start` with the candidate count, `working` while a candidate's environment is obtained and its before/after
   * runs go (minutes, at times), `done` with its verdict. Ids are commit oids.
   */
  onProgress?: OnProgress<'validated' | RejectReason>;
  signal?: AbortSignal;
}

export interface MineResult {
  funnel: Funnel;
  instances: Instance[];
  /** Every validated-then-rejected candidate of this run, oldest first, with what decided it. */
  rejections: Rejection[];
  out: string;
}

/** A candidate that reached validation and was rejected: its verdict and evidence (`--explain`). */
export interface Rejection {
  commit: string;
  verdict: RejectReason;
  evidence?: Evidence;
}

/** The resume state beside the output (`<out>.state.json`): every candidate judged so far and its verdict. */
const State = z.object({
  done: z.record(
    z.string(),
    z.object({
      verdict: z.string().transform((v) => v as 'validated' | RejectReason),
      instance: Instance.optional(),
      /** What decided a rejection after validation started (runs, log tails): `--explain` shows it. */
      evidence: Evidence.optional(),
    }),
  ),
});
type State = z.infer<typeof State>;

/** Reads the resume state; a damaged one is a one-line error naming the file, the line and the field. */
async function readState(stateFile: string): Promise<State> {
  if (!existsSync(stateFile)) return { done: {} };
  return readJsonFile(stateFile, State);
}

/** `owner/name` of a remote URL (https, ssh or scp-like), if it has one. */
function ownerNameOf(url: string): string | undefined {
  const m = /[:/]([^/:]+)\/([^/]+?)(\.git)?\/?$/.exec(url.trim());
  return m && /^(https?:|ssh:|git@|git:)/.test(url.trim()) ? `${m[1]}/${m[2]}` : undefined;
}

/**
 * The repo's `owner/name`: explicit, else from the URL, else (a local clone) from its `origin` remote or its
 * package.json `repository`, or a repo cache's `owner__name` folder, and `local/<folder>` only when none says.
 */
export async function repoNameOf(repo: string, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const fromUrl = ownerNameOf(repo);
  if (fromUrl) return fromUrl;
  const gitdir = existsSync(join(repo, '.git')) ? join(repo, '.git') : repo;
  const origin = await git.getConfig({ fs, gitdir, path: 'remote.origin.url' }).catch(() => undefined);
  const fromRemote = typeof origin === 'string' ? ownerNameOf(origin) : undefined;
  if (fromRemote) return fromRemote;
  const pkg = await readFile(join(repo, 'package.json'), 'utf8').then(
    (t) => JSON.parse(t) as { repository?: string | { url?: string } },
    () => undefined,
  );
  const repoField = typeof pkg?.repository === 'string' ? pkg.repository : pkg?.repository?.url;
  const fromPkg = repoField?.replace(/^github:/, 'https://github.com/');
  const named =
    fromPkg && (ownerNameOf(fromPkg) ?? (/^[\w.-]+\/[\w.-]+$/.test(fromPkg) ? fromPkg : undefined));
  if (named) return named;
  // A repo cache's layout (`owner__name` or `owner__name.git`) says the name too.
  const folder = repo.replace(/\/+$/, '').split('/').pop()!;
  const cached = /^([\w.-]+?)__([\w.-]+?)(\.git)?$/.exec(folder);
  return cached ? `${cached[1]}/${cached[2]}` : `local/${folder}`;
}

/**
 * Mines a repository's history into validated SWE-bench task instances with no manual step: candidates from
 * commits, patch and test patch split from the diff, an environment from @repoforge/deps, `runs` runs before
 * and after the gold patch in the sandbox, FAIL_TO_PASS / PASS_TO_PASS from tests every run agrees on (flaky
 * ones excluded and recorded), and a final gold check on a fresh sandbox.
 */
export async function mineRepository(options: MineOptions): Promise<MineResult> {
  // Two miners writing one output (and its resume state) would interleave; the second refuses.
  const lock = await acquireRunLock(`${options.out}.lock`, options.out);
  try {
    await reapLeftoversBestEffort({
      reap: options.reapLeftovers,
      dockerDefault: !options.createSandbox,
      signal: options.signal,
      logger: options.logger,
    });
    return await mine(options);
  } finally {
    await lock.release();
  }
}

/** Validation in this process: environments and a pool of warm sandboxes shared by its candidates. */
function localValidator(options: MineOptions, name: string, location: RepoLocation) {
  const resources = validationResources(options, options.workers ?? 1);
  const ctx = { ...options, ...resources };
  return {
    validate: (cand: Candidate, funnel: Funnel, _signal?: AbortSignal) =>
      validateCandidate(cand, name, location, ctx, funnel),
    close: () => resources.pool.close(),
  };
}

/** Candidate commits of the history (the newest N when capped), oldest first; rejections go to the funnel. */
async function findCandidates(
  options: MineOptions,
  location: RepoLocation,
  funnel: Funnel,
): Promise<Candidate[]> {
  const commits = await walkHistory({
    gitdir: location.gitdir,
    ref: options.branch,
    since: options.since,
    maxCommits: options.maxCommits,
    cache: location.cache,
    signal: options.signal,
  });
  funnel.commitsScanned = commits.length;
  const candidates: Candidate[] = [];
  const packs: PackIndexCache = new Map();
  for (const c of commits) {
    const r = await toCandidate(location.gitdir, c, {
      limits: options.limits,
      rules: options.rules,
      cache: location.cache,
      packs,
    });
    if ('reject' in r) reject(funnel, r.reject);
    else candidates.push(r);
  }
  // The newest N when capped, then oldest first: instances come out in history order.
  if (options.maxCandidates !== undefined && candidates.length > options.maxCandidates)
    candidates.length = options.maxCandidates;
  candidates.reverse();
  funnel.candidates = candidates.length;
  return candidates;
}

async function mine(options: MineOptions): Promise<MineResult> {
  const name = await repoNameOf(options.repo, options.repoName);
  const location = await locateRepo(options, name);
  const funnel = emptyFunnel();
  const stateFile = `${options.out}.state.json`;
  const state = await readState(stateFile);
  const candidates = await timed(funnel, 'scan', () => findCandidates(options, location, funnel));
  options.onProgress?.({ type: 'start', total: candidates.length });

  const validator = options.queue
    ? queueValidator({ ...options, ...options.queue, repoName: name })
    : localValidator(options, name, location);
  const accepted = new Map<string, Instance>();
  for (const [oid, d] of Object.entries(state.done))
    if (d.verdict === 'validated' && d.instance) accepted.set(oid, d.instance);
  let done = 0;
  const persist = async () => {
    const ordered = candidates.map((c) => accepted.get(c.commit.oid)).filter((i): i is Instance => !!i);
    await writeFileAtomic(options.out, formatJsonl(ordered.map(serializeInstance)));
    await writeFileAtomic(stateFile, JSON.stringify(state));
  };
  const judge = async (cand: Candidate) => {
    options.signal?.throwIfAborted();
    const prior = state.done[cand.commit.oid];
    let verdict: 'validated' | RejectReason;
    if (prior) {
      funnel.resumed++;
      verdict = prior.verdict;
      if (verdict !== 'validated') reject(funnel, verdict);
    } else {
      const r = await validator.validate(cand, funnel, options.signal);
      verdict = 'instance' in r ? 'validated' : r.reject;
      if ('instance' in r) accepted.set(cand.commit.oid, r.instance);
      else reject(funnel, r.reject);
      state.done[cand.commit.oid] = {
        verdict,
        instance: 'instance' in r ? r.instance : undefined,
        evidence: 'evidence' in r ? r.evidence : undefined,
      };
      await persist();
    }
    if (verdict === 'validated') funnel.validated++;
    options.onProgress?.({
      type: 'done',
      id: cand.commit.oid,
      result: verdict,
      done: ++done,
      total: candidates.length,
    });
  };
  // Through a queue every candidate is handed out at once: the workers' concurrency is the limit.
  const limit = pLimit(options.queue ? Number.POSITIVE_INFINITY : Math.max(1, options.workers ?? 1));
  try {
    await Promise.all(candidates.map((cand) => limit(() => judge(cand))));
  } finally {
    await validator.close();
  }
  await persist();
  funnel.yield = funnel.candidates ? Math.round((funnel.validated / funnel.candidates) * 1000) / 1000 : 0;
  const instances = candidates.map((c) => accepted.get(c.commit.oid)).filter((i): i is Instance => !!i);
  const rejections = candidates.flatMap((c): Rejection[] => {
    const d = state.done[c.commit.oid];
    return d && d.verdict !== 'validated'
      ? [{ commit: c.commit.oid, verdict: d.verdict, evidence: d.evidence }]
      : [];
  });
  return { funnel, instances, rejections, out: options.out };
}
