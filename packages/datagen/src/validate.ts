import {
  EnvBuilder,
  type EnvPlan,
  type EnvProvider,
  envPlanHash,
  envSpecOf,
  type ObtainedEnv,
  obtainEnv,
  planEnv,
  type RepoSnapshot,
  snapshotFromGit,
  testsNeedingNetwork,
  withPatchedDependencies,
} from '@repoforge/deps';
import {
  evalPoolKey,
  evalSandboxCreator,
  gradeLog,
  junitNamerFor,
  parseJUnitXml,
  type RepoLocation,
  runHealth,
  runInstance,
} from '@repoforge/harness';
import {
  createSandbox,
  type ImageOps,
  isEngineFault,
  type Logger,
  type Sandbox,
  type SandboxOptions,
  SandboxPool,
} from '@repoforge/sandbox';
import {
  type EnvSpec,
  Instance,
  knownRepo,
  memoAsync,
  type TestStatusMap,
  versionFromSource,
} from '@repoforge/schema';
import type { Candidate } from './candidates.js';
import type { RejectReason } from './classify.js';
import { type Evidence, formatCounts, type RunEvidence, runEvidence } from './evidence.js';
import { type Funnel, timed } from './funnel.js';
import type { MineOptions } from './mine.js';
import { problemStatement } from './statement.js';
import { statementQuality } from './statement-quality.js';
import { swebenchNamer } from './test-names.js';
import { deriveTransitions } from './transitions.js';
import { fileAtCommit } from './tree-diff.js';
import { packageVersion } from './version.js';

export type ValidateOptions = MineOptions & {
  envBuilder: EnvProvider;
  pool: SandboxPool;
  /** Dependency sets whose environment failed to install in this run (by plan hash). */
  failedEnvs: Map<string, Error>;
  /** Environments whose tests were seen to run in this run, by the plan's hash (the ladder climbed once). */
  verifiedEnvs: Map<string, Promise<ObtainedEnv>>;
};

/**
 * What validating candidates holds across them, in one process (a miner or a mining worker): environments (built
 * or reused by plan), a pool of warm sandboxes for `workers` candidates at once, and the run's memos.
 */
export function validationResources(
  options: {
    envBuilder?: EnvProvider;
    createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
    images?: ImageOps;
    logger?: Logger;
  },
  workers: number,
): Pick<ValidateOptions, 'envBuilder' | 'pool' | 'failedEnvs' | 'verifiedEnvs'> {
  const make = options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  return {
    envBuilder:
      options.envBuilder ??
      new EnvBuilder({ createSandbox: make, builder: options.images, logger: options.logger }),
    pool: new SandboxPool({ warm: 1, max: workers + 1, create: evalSandboxCreator(make) }),
    failedEnvs: new Map(),
    verifiedEnvs: new Map(),
  };
}

/** A candidate's verdict: an instance, or a rejection with what decided it. */
export type Verdict = { instance: Instance } | { reject: RejectReason; evidence?: Evidence };

type Run = Awaited<ReturnType<typeof runInstance>>;
type RunOnce = (patch: string | null, env?: Record<string, string>) => Promise<Run>;

/**
 * Validates one candidate: its environment (a known repo's recipe or a plan, repaired by the ladder until its
 * tests run), `runs` runs before and after the fix, FAIL_TO_PASS / PASS_TO_PASS from the tests every run
 * agrees on, and a final gold check on a fresh sandbox. A rejection carries its evidence.
 */
export async function validateCandidate(
  cand: Candidate,
  repo: string,
  location: RepoLocation,
  options: ValidateOptions,
  funnel: Funnel,
): Promise<Verdict> {
  const started = performance.now();
  const { snapshot, draft } = await timed(funnel, 'draft', async () => {
    const snapshot = await snapshotFromGit({
      gitdir: location.gitdir,
      oid: cand.parent,
      cache: location.cache,
    });
    return { snapshot, draft: await draftInstance(cand, repo, snapshot, location, options) };
  });
  const env = await timed(funnel, 'env', () =>
    candidateEnv(cand, draft, snapshot, location, options, funnel),
  );
  if ('reject' in env) return env;
  const spec = envSpecOf(env.spec, env.built.image);
  const once = runner(draft, spec, env.built.image, location, options);
  const context = { testCmd: spec.test_cmd, image: env.built.image };
  const names = swebenchNamer(draft.repo, draft.version, (path) =>
    fileAtCommit(location.gitdir, cand.commit.oid, path, location.cache),
  );
  const sides = await timed(funnel, 'runs', () => runSides(cand, once, options, context, names));
  if ('reject' in sides) return sides;
  funnel.beforeAfterRan++;
  const t = deriveTransitions(sides.before, sides.after);
  if (t.failToPass.length === 0) {
    const why = t.flaky.length
      ? `the only tests that changed were flaky across runs: ${t.flaky.slice(0, 5).join(' | ')}`
      : `no test failed before the fix and passed after it (before: ${formatCounts(sides.evidence[0]!.counts)}; after: ${formatCounts(sides.evidence[1]!.counts)})`;
    return {
      reject: t.flaky.length ? 'flaky_only' : 'no_f2p',
      evidence: { why, ...context, runs: sides.evidence },
    };
  }
  const instance = Instance.parse({
    ...draft,
    FAIL_TO_PASS: t.failToPass,
    PASS_TO_PASS: t.passToPass,
    repoforge: {
      env_image: env.built.image,
      log_parser: spec.log_parser,
      test_cmd: spec.test_cmd,
      flaky_tests: t.flaky,
      runs: sides.before.length,
      statement_source: (draft.repoforge as { statement_source: string }).statement_source,
      statement_quality: (draft.repoforge as { statement_quality: string }).statement_quality,
      commit: cand.commit.oid,
      validation_ms: 0,
    },
  });
  return timed(funnel, 'gold', () =>
    goldCheck(cand, instance, once, { ...context, runs: sides.evidence }, funnel, started),
  );
}

/** The instance as far as it is known before any run: ids, patches, statement, version. */
async function draftInstance(
  cand: Candidate,
  repo: string,
  snapshot: RepoSnapshot,
  location: RepoLocation,
  options: ValidateOptions,
): Promise<Instance> {
  const versionFile = knownRepo(repo)?.versionFile;
  const versionText =
    versionFile && (await fileAtCommit(location.gitdir, cand.parent, versionFile, location.cache));
  const version = (versionText && versionFromSource(versionText)) || packageVersion(snapshot.files);
  const { text, source } = await problemStatement(repo, cand.commit.message, {
    ...options.statement,
    signal: options.signal,
  });
  const [owner, short] = repo.split('/');
  return Instance.parse({
    repo,
    instance_id: `${owner}__${short}-${cand.commit.oid.slice(0, 7)}`,
    base_commit: cand.parent,
    patch: cand.patch,
    test_patch: cand.testPatch,
    problem_statement: text,
    hints_text: '',
    created_at: new Date(cand.commit.timestamp * 1000).toISOString(),
    version,
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
    environment_setup_commit: cand.parent,
    // Judged against the fix, recorded with the instance and counted in the funnel (a trainer filters on it).
    repoforge: { statement_source: source, statement_quality: statementQuality(text, cand.patch) },
  });
}

/**
 * The candidate's environment: a known repo's recipe or a plan (deps' planEnv), built, and accepted once per
 * dependency set only when the candidate's tests run in it with the fix applied — a command that runs no
 * test (an interpreter missing, an import error) climbs the repair ladder instead of becoming `no_f2p`.
 */
async function candidateEnv(
  cand: Candidate,
  draft: Instance,
  snapshot: RepoSnapshot,
  location: RepoLocation,
  options: ValidateOptions,
  funnel: Funnel,
): Promise<ObtainedEnv | { reject: RejectReason; evidence: Evidence }> {
  const oid = cand.commit.oid;
  options.onProgress?.({
    type: 'working',
    id: oid,
    what: `obtaining the environment of ${draft.instance_id}`,
  });
  let depsKey: string | undefined;
  try {
    // A fix that declares a new dependency (its tests import it) is validated with that dependency installed.
    const plan = await planEnv(withPatchedDependencies(snapshot, draft.patch).snapshot, { repo: draft.repo });
    depsKey = envPlanHash(plan);
    const earlier = options.failedEnvs.get(depsKey);
    if (earlier) throw earlier;
    const verify = verifier(draft, location, options);
    const got = await memoAsync(options.verifiedEnvs, depsKey, () =>
      obtainEnv(plan, { provider: options.envBuilder, verify, signal: options.signal }),
    );
    const rung = got.attempts.at(-1)!.rung;
    funnel.envRungs[rung] = (funnel.envRungs[rung] ?? 0) + 1;
    funnel.envBuilt++;
    return got;
  } catch (error) {
    options.signal?.throwIfAborted();
    // Not the environment's failure: the mining stops with nothing recorded for this commit (a rerun redoes it).
    if (isEngineFault(error)) throw error;
    const attempts = (error as { attempts?: { rung: string; outcome: string; detail: string }[] }).attempts;
    const cls = attempts?.at(-1)?.outcome ?? 'unplannable';
    // An install that failed is not run again for the next commit that shares its dependency set; a test run
    // that saw nothing may be this candidate's doing, so the next one verifies again.
    const installFailed = !attempts || /install|git_dependency|conflict/.test(cls);
    if (depsKey && installFailed && !options.failedEnvs.has(depsKey)) {
      options.failedEnvs.set(depsKey, error as Error);
      funnel.envFailures[cls] = (funnel.envFailures[cls] ?? 0) + 1;
    }
    options.logger?.warn('environment failed', { commit: oid, class: cls, error: String(error) });
    const tried = attempts?.map((a) => `${a.rung}: ${a.outcome} (${a.detail})`).join('; ');
    const why = `no environment whose tests run (${cls})${tried ? `: tried ${tried}` : `: ${String((error as Error).message ?? error).slice(0, 500)}`}`;
    return { reject: installFailed ? 'env_failed' : 'env_broken', evidence: { why, runs: [] } };
  }
}

/** The ladder's verification: the candidate's own tests with its fix applied must run (parsed statuses). */
function verifier(draft: Instance, location: RepoLocation, options: ValidateOptions) {
  return async (spec: EnvPlan, built: { image: string }, signal?: AbortSignal) => {
    const harnessSpec = envSpecOf(spec, built.image);
    const run = await runner(draft, harnessSpec, built.image, location, { ...options, signal })(draft.patch);
    return {
      tests: Object.keys(run.statusMap ?? {}).length,
      exitCode: run.exitCode ?? -1,
      log: run.files['test_output.txt'] ?? run.error ?? '',
      statusMap: run.statusMap,
    };
  };
}

/** Runs the draft with a patch (none: the test patch alone) in a sandbox of the image, from the pool. */
function runner(
  draft: Instance,
  spec: EnvSpec,
  image: string,
  location: RepoLocation,
  options: Pick<ValidateOptions, 'pool' | 'timeoutSec' | 'wholeSuite' | 'signal'>,
): RunOnce {
  return async (patch, env) => {
    const lease = await options.pool.acquire(evalPoolKey(image, true), { signal: options.signal });
    try {
      return await runInstance({
        instance: draft,
        prediction: { instance_id: draft.instance_id, model_name_or_path: 'gold', model_patch: patch },
        spec,
        parser: spec.log_parser!,
        location,
        sandbox: lease.sandbox,
        timeoutMs: (options.timeoutSec ?? 600) * 1000,
        env,
        wholeSuite: options.wholeSuite,
        signal: options.signal,
      });
    } finally {
      await lease.release();
    }
  };
}

/**
 * The before (test patch only) and after (with the fix) runs, `runs` times each, each pair with its own hash
 * seed (tests that depend on set/dict order disagree across runs and are caught as flaky), stopping early once
 * no test can be FAIL_TO_PASS. An after run that shows no test is an environment failure (`env_broken`),
 * never `no_f2p`.
 */
async function runSides(
  cand: Candidate,
  once: RunOnce,
  options: ValidateOptions,
  context: { testCmd: string; image: string },
  names: ReturnType<typeof swebenchNamer>,
): Promise<
  | { before: TestStatusMap[]; after: TestStatusMap[]; evidence: RunEvidence[] }
  | { reject: RejectReason; evidence: Evidence }
> {
  const before: TestStatusMap[] = [];
  const after: TestStatusMap[] = [];
  const evidence: RunEvidence[] = [];
  const rejected = (reject: RejectReason, why: string) => ({
    reject,
    evidence: { why, ...context, runs: evidence },
  });
  for (let i = 0; i < Math.max(1, options.runs ?? 3); i++) {
    const env = { PYTHONHASHSEED: String(i + 1) };
    const what = `validation run ${i + 1} (before and after the fix)`;
    options.onProgress?.({ type: 'working', id: cand.commit.oid, what });
    const b = await once('', env);
    const a = await once(cand.patch, env);
    if (i === 0) evidence.push(runEvidence('before', b), runEvidence('after', a));
    if (b.timedOut || a.timedOut) return rejected('timeout', `a run exceeded ${options.timeoutSec ?? 600} s`);
    if (a.report && !a.report.patch_successfully_applied)
      return rejected('patch_does_not_apply', 'the fix did not apply on its parent with the test patch');
    const problem = runHealth({ statusMap: a.statusMap ?? {}, log: a.files['test_output.txt'] ?? '' });
    if (problem) return rejected('env_broken', `with the fix applied, ${problem.reason}`);
    before.push(await names(b.statusMap, b.files['test_output.txt'] ?? ''));
    after.push(await names(a.statusMap, a.files['test_output.txt'] ?? ''));
    // More runs only take tests out of FAIL_TO_PASS (into flaky), never add one: with none after this pair,
    // the candidate cannot pass, and the runs left would be spent on a certain no_f2p.
    if (deriveTransitions(before, after).failToPass.length === 0) break;
  }
  return { before, after, evidence };
}

/** The gold patch must resolve the final instance on a fresh sandbox, graded by the harness. */
async function goldCheck(
  cand: Candidate,
  instance: Instance,
  once: RunOnce,
  evidence: Omit<Evidence, 'why'>,
  funnel: Funnel,
  started: number,
): Promise<Verdict> {
  const gold = await once(cand.patch).then(
    (r) => r,
    (error) => {
      if (isEngineFault(error)) throw error; // no verdict on the gold patch
      return undefined;
    },
  );
  const graded = gold && regrade(instance, gold);
  if (!gold || !graded?.resolved) {
    const failing = graded?.failing.slice(0, 5).join(' | ') ?? gold?.error ?? 'the run failed';
    return {
      reject: 'gold_not_resolved',
      evidence: {
        ...evidence,
        why: `the final gold run did not resolve the instance: ${failing}`,
        runs: [...evidence.runs, ...(gold ? [runEvidence('gold', gold)] : [])],
      },
    };
  }
  // They fail before and after (no network in the sandbox), so they are in neither list: reported here.
  const network = testsNeedingNetwork(gold.files['test_output.txt'] ?? '', gold.statusMap ?? {});
  const extra = instance.repoforge as { network_tests?: string[]; validation_ms: number };
  if (network.length) {
    extra.network_tests = network;
    funnel.withNetworkTests++;
  }
  extra.validation_ms = Math.round(performance.now() - started);
  const quality = (instance.repoforge as { statement_quality: string }).statement_quality;
  funnel.statements[quality] = (funnel.statements[quality] ?? 0) + 1;
  return { instance };
}

/** Grades a run's log against the final instance's FAIL_TO_PASS / PASS_TO_PASS. */
function regrade(instance: Instance, run: Run): { resolved: boolean; failing: string[] } {
  const log = run.files['test_output.txt'];
  if (!log) return { resolved: false, failing: [] };
  const spec = instance.repoforge as { log_parser: string };
  const xml = run.files['junit.xml'];
  const structured = xml ? parseJUnitXml(xml, junitNamerFor(spec.log_parser)) : undefined;
  const { report } = gradeLog({
    instance,
    modelPatch: instance.patch,
    log,
    parser: spec.log_parser,
    options: { exitCode: run.exitCode, structured },
  });
  const status = report.tests_status;
  const failing = status ? [...status.FAIL_TO_PASS.failure, ...status.PASS_TO_PASS.failure] : [];
  return { resolved: report.resolved, failing };
}
