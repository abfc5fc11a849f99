import {
  EnvBuilder,
  type EnvProvider,
  type EnvSpec,
  measureDatasetStorage,
  planEnv,
  snapshotFromGit,
  toHarnessEnvSpec,
} from '@repoforge/deps';
import type { RepoSource } from '@repoforge/harness';
import type { Instance } from '@repoforge/schema';
import type { Logger } from '@repoforge/sandbox';

/**
 * Environments planned from each instance's own repo at its base commit (@repoforge/deps) and built (or
 * reused by EnvSpec hash): what `eval run` uses when no --env-spec is given.
 */
export function autoEnv(
  repoSource: RepoSource,
  logger?: Logger,
  builder: EnvProvider = new EnvBuilder({ logger }),
) {
  const planned = new Map<string, Promise<{ plan: EnvSpec; image: string }>>();
  const envOf = (instance: Instance, signal?: AbortSignal) => {
    const key = `${instance.repo}@${instance.base_commit}`;
    let p = planned.get(key);
    if (!p) {
      p = (async () => {
        const loc = await repoSource.resolve(instance.repo, { signal });
        const plan = await planEnv(
          await snapshotFromGit({ gitdir: loc.gitdir, oid: instance.base_commit, cache: loc.cache }),
        );
        const built = await builder.ensure(plan, { signal });
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
