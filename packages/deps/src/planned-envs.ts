import type { RepoLocation, RepoSource } from '@repoforge/harness';
import type { Logger, Sandbox, SandboxOptions } from '@repoforge/sandbox';
import { type Instance, memoAsync, parseGitDiff } from '@repoforge/schema';
import { type BuiltEnv, EnvBuilder, type EnvProvider, envSpecOf } from './build/env-builder.js';
import type { EnvAttempt } from './ladder.js';
import { planEnv } from './plan/plan.js';
import { snapshotFromGit, withPatchedDependencies } from './snapshot.js';
import { type EnvPlan, envPlanHash } from './spec.js';
import { measureDatasetStorage } from './storage.js';
import { verifiedEnv } from './verified-env.js';

/** The files an instance's test patch touches (none when it has no test patch). */
const testFilesOf = (instance: Instance) => parseGitDiff(instance.test_patch ?? '').map((f) => f.path);

/** The plan of an instance's repo at its base commit, with the dependencies its reference fix declares. */
async function planOfInstance(instance: Instance, loc: RepoLocation) {
  const base = await snapshotFromGit({ gitdir: loc.gitdir, oid: instance.base_commit, cache: loc.cache });
  const { snapshot, changed } = withPatchedDependencies(base, instance.patch);
  const plan = await planEnv(snapshot, { repo: instance.repo, testFiles: testFilesOf(instance) });
  if (!changed.length) return plan;
  return {
    ...plan,
    notes: [...plan.notes, `dependencies as the reference fix declares them (${changed.join(', ')})`],
  };
}

/**
 * Environments planned from each instance's own repo at its base commit (@repoforge/deps) and built (or
 * reused by plan hash): what `eval run` uses when no --env-spec is given. With `verifyWith`, each one is
 * obtained through the repair ladder and accepted only when its tests run (see verifiedEnv).
 */
export function plannedEnvs(
  repoSource: RepoSource,
  logger?: Logger,
  builder: EnvProvider = new EnvBuilder({ logger }),
  /** With a sandbox factory, an environment is accepted only when its tests run (the repair ladder). */
  verifyWith?: (options: SandboxOptions) => Promise<Sandbox>,
  /** Verify on whole suites (what eval runs with `wholeSuite`); by default on the tests eval runs. */
  options: { wholeSuite?: boolean } = {},
) {
  const planned = new Map<string, Promise<{ plan: EnvPlan; image: string; attempts?: EnvAttempt[] }>>();
  /** How each instance's environment was obtained (rungs tried, what failed, what worked). */
  const attempts = new Map<string, EnvAttempt[]>();
  /** Environments that failed, by dependency set: one failing install is not run again in this run. */
  const failed = new Map<string, Error>();
  const obtain = async (instance: Instance, signal?: AbortSignal) => {
    const loc = await repoSource.resolve(instance.repo, { signal });
    const plan = await planOfInstance(instance, loc);
    const depsKey = envPlanHash(plan);
    const earlier = failed.get(depsKey);
    if (earlier) throw earlier;
    try {
      if (!verifyWith)
        return { plan, image: (await checkMissing(instance, builder.ensure(plan, { signal }))).image };
      const got = await verifiedEnv({
        plan,
        instance,
        location: loc,
        provider: builder,
        createSandbox: verifyWith,
        wholeSuite: options.wholeSuite,
        logger,
        signal,
      });
      attempts.set(instance.instance_id, got.attempts);
      const image = (await checkMissing(instance, Promise.resolve(got.built))).image;
      return { plan: got.spec, image, attempts: got.attempts };
    } catch (error) {
      signal?.throwIfAborted();
      const tried = (error as { attempts?: EnvAttempt[] }).attempts;
      if (tried) attempts.set(instance.instance_id, tried);
      failed.set(depsKey, error as Error);
      throw error;
    }
  };
  const checkMissing = async (instance: Instance, built: Promise<BuiltEnv>) => {
    const env = await built;
    if (env.missingPackages.length)
      logger?.warn('packages not in the Debian archive', {
        instance: instance.instance_id,
        missing: env.missingPackages,
      });
    return env;
  };
  // Per instance commit and test files (they choose the runner where a repo has several suites), shared by
  // concurrent callers; a failure is remembered by dependency set (above).
  const envOf = (instance: Instance, signal?: AbortSignal) =>
    memoAsync(
      planned,
      `${instance.repo}@${instance.base_commit}:${testFilesOf(instance).sort().join(',')}`,
      () => obtain(instance, signal),
    );
  return {
    builder,
    attempts,
    envOf,
    /** The instance's EnvSpec, with how it was obtained (written to each instance's environment.json). */
    resolveEnv: async (instance: Instance, signal?: AbortSignal) => {
      const { plan, image, attempts: tried } = await envOf(instance, signal);
      return { spec: envSpecOf(plan, image), attempts: tried };
    },
    /** Storage figures of a dataset in these environments (shared layers once, repos from the git cache). */
    measureStorage: async (instances: readonly Instance[], signal?: AbortSignal) => {
      const measured = [];
      for (const i of instances) {
        const loc = await repoSource.resolve(i.repo, { signal });
        measured.push({
          id: i.instance_id,
          image: (await envOf(i, signal)).image,
          gitdir: loc.gitdir,
          baseCommit: i.base_commit,
          cache: loc.cache,
        });
      }
      return measureDatasetStorage(measured);
    },
  };
}
