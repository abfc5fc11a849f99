import {
  EnvBuilder,
  type EnvAttempt,
  type EnvProvider,
  type EnvSpec,
  measureDatasetStorage,
  planEnv,
  snapshotFromGit,
  toHarnessEnvSpec,
} from '@repoforge/deps';
import type { RepoSource } from '@repoforge/harness';
import type { Instance } from '@repoforge/schema';
import type { Logger, Sandbox, SandboxOptions } from '@repoforge/sandbox';
import { verifiedEnv } from './verified-env.js';

/**
 * Environments planned from each instance's own repo at its base commit (@repoforge/deps) and built (or
 * reused by EnvSpec hash): what `eval run` uses when no --env-spec is given. With `verifyWith`, each one is
 * obtained through the repair ladder and accepted only when its tests run (see verifiedEnv).
 */
export function plannedEnvs(
  repoSource: RepoSource,
  logger?: Logger,
  builder: EnvProvider = new EnvBuilder({ logger }),
  /** With a sandbox factory, an environment is accepted only when its tests run (the repair ladder). */
  verifyWith?: (options: SandboxOptions) => Promise<Sandbox>,
) {
  const planned = new Map<string, Promise<{ plan: EnvSpec; image: string }>>();
  /** How each instance's environment was obtained (rungs tried, what failed, what worked). */
  const attempts = new Map<string, EnvAttempt[]>();
  const envOf = (instance: Instance, signal?: AbortSignal) => {
    const key = `${instance.repo}@${instance.base_commit}`;
    let p = planned.get(key);
    if (!p) {
      p = (async () => {
        const loc = await repoSource.resolve(instance.repo, { signal });
        const firstPlan = await planEnv(
          await snapshotFromGit({ gitdir: loc.gitdir, oid: instance.base_commit, cache: loc.cache }),
        );
        let plan = firstPlan;
        let built: Awaited<ReturnType<EnvProvider['ensure']>>;
        if (verifyWith) {
          const got = await verifiedEnv({
            plan: firstPlan,
            instance,
            location: loc,
            provider: builder,
            createSandbox: verifyWith,
            logger,
            signal,
          }).catch((error) => {
            if (error?.attempts) attempts.set(instance.instance_id, error.attempts);
            throw error;
          });
          attempts.set(instance.instance_id, got.attempts);
          plan = got.spec;
          built = got.built;
        } else built = await builder.ensure(plan, { signal });
        if (built.missingPackages.length)
          logger?.warn('packages not in the Debian archive', {
            instance: instance.instance_id,
            missing: built.missingPackages,
          });
        return { plan, image: built.image };
      })();
      planned.set(key, p);
    }
    return p;
  };
  return {
    builder,
    attempts,
    envOf,
    resolveEnv: async (instance: Instance, signal?: AbortSignal) => {
      const { plan, image } = await envOf(instance, signal);
      return toHarnessEnvSpec(plan, image);
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
