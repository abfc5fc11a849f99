import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EnvBuilder,
  type EnvProvider,
  envSpecHash,
  obtainEnv,
  planEnv,
  snapshotFromGit,
  testsNeedingNetwork,
  toHarnessEnvSpec,
} from '@repoforge/deps';
import {
  evalPoolKey,
  evalSandboxCreator,
  gradeLog,
  EnvSpec as HarnessEnvSpec,
  junitNamerFor,
  parseJUnitXml,
  RepoCache,
  type RepoLocation,
  runInstance,
} from '@repoforge/harness';
import {
  createSandbox,
  isEngineFault,
  type Logger,
  type ReapLeftovers,
  reapLeftoversBestEffort,
  type Sandbox,
  type SandboxOptions,
  SandboxPool,
} from '@repoforge/sandbox';
import {
  formatJsonl,
  Instance,
  RepoForgeError,
  serializeInstance,
  type TestStatusMap,
} from '@repoforge/schema';
import { acquireRunLock, readJsonFile, writeFileAtomic } from '@repoforge/schema/node';
import git from 'isomorphic-git';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { PackIndexCache } from './blob-size.js';
import { type Candidate, toCandidate } from './candidates.js';
import type { CandidateLimits, RejectReason, TestFileRules } from './classify.js';
import { emptyFunnel, type Funnel, reject } from './funnel.js';
import { walkHistory } from './history.js';
import { problemStatement, type StatementOptions } from './statement.js';
import { statementQuality } from './statement-quality.js';
import { deriveTransitions } from './transitions.js';
import { packageVersion } from './version.js';

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
  onProgress?: (
    event:
      | { stage: 'candidates'; total: number }
      | { stage: 'candidate'; oid: string; verdict: 'validated' | RejectReason; done: number; total: number }
      /** What a candidate's validation is doing now (environment build, before/after runs): minutes, at times. */
      | { stage: 'working'; oid: string; what: string },
  ) => void;
  signal?: AbortSignal;
}

export interface MineResult {
  funnel: Funnel;
  instances: Instance[];
  out: string;
}

/** The resume state beside the output (`<out>.state.json`): every candidate judged so far and its verdict. */
const State = z.object({
  done: z.record(
    z.string(),
    z.object({
      verdict: z.string().transform((v) => v as 'validated' | RejectReason),
      instance: Instance.optional(),
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
 * package.json `repository`, and `local/<folder>` only when none says.
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
  return named ?? `local/${repo.replace(/\/+$/, '').split('/').pop()}`;
}

async function locate(options: MineOptions, name: string): Promise<RepoLocation> {
  if (/^https?:\/\//.test(options.repo)) {
    const cache = new RepoCache({
      cacheDir: options.cacheDir ?? '.repoforge/repos',
      urlOf: () => options.repo,
    });
    return cache.resolve(name, { signal: options.signal });
  }
  const gitdir = existsSync(join(options.repo, '.git')) ? join(options.repo, '.git') : options.repo;
  if (!existsSync(join(gitdir, 'HEAD')))
    throw new RepoForgeError(
      'REPO_NOT_FOUND',
      `${options.repo}: not a git repository (no ${join(gitdir, 'HEAD')})`,
      {
        kind: 'input',
      },
    );
  return { gitdir, cache: {} };
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

async function mine(options: MineOptions): Promise<MineResult> {
  const name = await repoNameOf(options.repo, options.repoName);
  const location = await locate(options, name);
  const funnel = emptyFunnel();
  const stateFile = `${options.out}.state.json`;
  const state = await readState(stateFile);
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
  options.onProgress?.({ stage: 'candidates', total: candidates.length });

  const make = options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  const envBuilder = options.envBuilder ?? new EnvBuilder({ createSandbox: make, logger: options.logger });
  const pool = new SandboxPool({
    warm: 1,
    max: (options.workers ?? 1) + 1,
    create: evalSandboxCreator(make),
  });
  const failedEnvs = new Map<string, Error>();
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
      const r = await validateCandidate(
        cand,
        name,
        location,
        { ...options, envBuilder, pool, failedEnvs },
        funnel,
      );
      verdict = 'instance' in r ? 'validated' : r.reject;
      if ('instance' in r) accepted.set(cand.commit.oid, r.instance);
      else reject(funnel, r.reject);
      state.done[cand.commit.oid] = {
        verdict,
        instance: 'instance' in r ? r.instance : undefined,
      };
      await persist();
    }
    if (verdict === 'validated') funnel.validated++;
    options.onProgress?.({
      stage: 'candidate',
      oid: cand.commit.oid,
      verdict,
      done: ++done,
      total: candidates.length,
    });
  };
  const limit = pLimit(Math.max(1, options.workers ?? 1));
  try {
    await Promise.all(candidates.map((cand) => limit(() => judge(cand))));
  } finally {
    await pool.close();
  }
  await persist();
  funnel.yield = funnel.candidates ? Math.round((funnel.validated / funnel.candidates) * 1000) / 1000 : 0;
  const instances = candidates.map((c) => accepted.get(c.commit.oid)).filter((i): i is Instance => !!i);
  return { funnel, instances, out: options.out };
}

type ValidateOptions = MineOptions & {
  envBuilder: EnvProvider;
  pool: SandboxPool;
  /** Dependency sets whose environment failed in this run (by EnvSpec hash). */
  failedEnvs: Map<string, Error>;
};

async function validateCandidate(
  cand: Candidate,
  repo: string,
  location: RepoLocation,
  options: ValidateOptions,
  funnel: Funnel,
): Promise<{ instance: Instance } | { reject: RejectReason }> {
  const started = performance.now();
  const snapshot = await snapshotFromGit({
    gitdir: location.gitdir,
    oid: cand.parent,
    cache: location.cache,
  });
  let image: string;
  let plan: Awaited<ReturnType<typeof planEnv>>;
  let depsKey: string | undefined;
  const working = (what: string) => options.onProgress?.({ stage: 'working', oid: cand.commit.oid, what });
  try {
    working(`obtaining the environment of ${cand.commit.oid.slice(0, 7)}`);
    plan = await planEnv(snapshot);
    depsKey = envSpecHash(plan);
    const earlier = options.failedEnvs.get(depsKey);
    if (earlier) throw earlier;
    // The repair ladder's install rungs (peer conflicts, another Node): the before/after runs verify the rest.
    const got = await obtainEnv(plan, { provider: options.envBuilder, signal: options.signal });
    plan = got.spec;
    image = got.built.image;
    const rung = got.attempts.at(-1)!.rung;
    funnel.envRungs[rung] = (funnel.envRungs[rung] ?? 0) + 1;
  } catch (error) {
    options.signal?.throwIfAborted();
    // Not the environment's failure: the mining stops with nothing recorded for this commit (a rerun redoes it).
    if (isEngineFault(error)) throw error;
    const attempts = (error as { attempts?: { outcome: string }[] }).attempts;
    const cls = attempts?.at(-1)?.outcome ?? 'unplannable';
    // One failing dependency set is not built again for the next commit that shares it.
    if (depsKey && !options.failedEnvs.has(depsKey)) {
      options.failedEnvs.set(depsKey, error as Error);
      funnel.envFailures[cls] = (funnel.envFailures[cls] ?? 0) + 1;
    }
    options.logger?.warn('environment failed', { commit: cand.commit.oid, class: cls, error: String(error) });
    return { reject: 'env_failed' };
  }
  funnel.envBuilt++;
  const spec = HarnessEnvSpec.parse(toHarnessEnvSpec(plan, image));
  const { text, source } = await problemStatement(repo, cand.commit.message, {
    ...options.statement,
    signal: options.signal,
  });
  // Judged against the fix, recorded with the instance and counted in the funnel (a trainer filters on it).
  const quality = statementQuality(text, cand.patch);
  const [owner, short] = repo.split('/');
  const draft = Instance.parse({
    repo,
    instance_id: `${owner}__${short}-${cand.commit.oid.slice(0, 7)}`,
    base_commit: cand.parent,
    patch: cand.patch,
    test_patch: cand.testPatch,
    problem_statement: text,
    hints_text: '',
    created_at: new Date(cand.commit.timestamp * 1000).toISOString(),
    version: packageVersion(snapshot.files),
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
    environment_setup_commit: cand.parent,
  });
  const timeoutMs = (options.timeoutSec ?? 600) * 1000;
  const once = async (patch: string | null, env?: Record<string, string>) => {
    const lease = await options.pool.acquire(evalPoolKey(image, true), { signal: options.signal });
    try {
      return await runInstance({
        instance: draft,
        prediction: { instance_id: draft.instance_id, model_name_or_path: 'gold', model_patch: patch },
        spec,
        parser: spec.log_parser!,
        location,
        sandbox: lease.sandbox,
        timeoutMs,
        env,
        wholeSuite: options.wholeSuite,
        signal: options.signal,
      });
    } finally {
      await lease.release();
    }
  };
  const before: TestStatusMap[] = [];
  const after: TestStatusMap[] = [];
  for (let i = 0; i < Math.max(1, options.runs ?? 3); i++) {
    // Each run gets its own hash seed: tests that depend on set/dict order of strings disagree across runs
    // and are caught as flaky every time, not only when the process's random seed happens to differ.
    const env = { PYTHONHASHSEED: String(i + 1) };
    working(`validation run ${i + 1} of ${cand.commit.oid.slice(0, 7)} (before and after the fix)`);
    const b = await once('', env);
    const a = await once(cand.patch, env);
    if (b.timedOut || a.timedOut) return { reject: 'timeout' };
    if (a.report && !a.report.patch_successfully_applied) return { reject: 'patch_does_not_apply' };
    before.push(b.statusMap ?? {});
    after.push(a.statusMap ?? {});
  }
  funnel.beforeAfterRan++;
  const t = deriveTransitions(before, after);
  if (t.failToPass.length === 0) return { reject: t.flaky.length ? 'flaky_only' : 'no_f2p' };
  const instance = Instance.parse({
    ...draft,
    FAIL_TO_PASS: t.failToPass,
    PASS_TO_PASS: t.passToPass,
    repoforge: {
      env_image: image,
      log_parser: spec.log_parser,
      test_cmd: spec.test_cmd,
      flaky_tests: t.flaky,
      runs: before.length,
      statement_source: source,
      statement_quality: quality,
      commit: cand.commit.oid,
      validation_ms: 0,
    },
  });
  // The gold patch must resolve the final instance on a fresh sandbox, graded by the harness.
  const gold = await once(cand.patch).then(
    (r) => r,
    (error) => {
      if (isEngineFault(error)) throw error; // no verdict on the gold patch
      return undefined;
    },
  );
  const graded = gold && (await regrade(instance, gold));
  if (!graded) return { reject: 'gold_not_resolved' };
  // They fail before and after (no network in the sandbox), so they are in neither list: reported here.
  const network = testsNeedingNetwork(gold.files['test_output.txt'] ?? '', gold.statusMap ?? {});
  if (network.length) {
    (instance.repoforge as { network_tests?: string[] }).network_tests = network;
    funnel.withNetworkTests++;
  }
  (instance.repoforge as { validation_ms: number }).validation_ms = Math.round(performance.now() - started);
  funnel.statements[quality] = (funnel.statements[quality] ?? 0) + 1;
  return { instance };
}

/** Grades a run's log against the final instance's FAIL_TO_PASS / PASS_TO_PASS. */
async function regrade(instance: Instance, run: Awaited<ReturnType<typeof runInstance>>): Promise<boolean> {
  const log = run.files['test_output.txt'];
  if (!log) return false;
  const spec = instance.repoforge as { log_parser: string };
  const xml = run.files['junit.xml'];
  const structured = xml ? parseJUnitXml(xml, junitNamerFor(spec.log_parser)) : undefined;
  return gradeLog({
    instance,
    modelPatch: instance.patch,
    log,
    parser: spec.log_parser,
    options: { exitCode: run.exitCode, structured },
  }).report.resolved;
}
