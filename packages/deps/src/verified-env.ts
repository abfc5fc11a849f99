import { type RepoLocation, runInstance } from '@repoforge/harness';
import type { Logger, Sandbox, SandboxOptions } from '@repoforge/sandbox';
import type { Instance } from '@repoforge/schema';
import { type EnvProvider, envSpecOf } from './build/env-builder.js';
import { type ObtainedEnv, obtainEnv, type Rung } from './ladder.js';
import type { EnvPlan } from './spec.js';

/**
 * An environment for an instance that is accepted only when its planned test command really runs tests at
 * the instance's base commit (with its test patch, whole suite, no network): @repoforge/deps' repair ladder,
 * verified through the harness. What was tried is in `attempts`, for `--explain` and the report.
 */
export async function verifiedEnv(input: {
  plan: EnvPlan;
  instance: Instance;
  location: RepoLocation;
  provider: EnvProvider;
  createSandbox: (options: SandboxOptions) => Promise<Sandbox>;
  /** Per verification run (default 900 s: a whole suite, cold caches). */
  timeoutSec?: number;
  rungs?: readonly Rung[];
  logger?: Logger;
  signal?: AbortSignal;
}): Promise<ObtainedEnv> {
  const { instance } = input;
  const obtained = await obtainEnv(input.plan, {
    provider: input.provider,
    rungs: input.rungs,
    signal: input.signal,
    verify: async (spec, built, signal) => {
      const sandbox = await input.createSandbox({
        image: built.image,
        network: 'none',
        limits: { pids: 4096 },
        signal,
      });
      try {
        const run = await runInstance({
          instance,
          prediction: { instance_id: instance.instance_id, model_name_or_path: 'verify', model_patch: '' },
          spec: envSpecOf(spec, built.image),
          parser: spec.logParser,
          location: input.location,
          sandbox,
          timeoutMs: (input.timeoutSec ?? 900) * 1000,
          wholeSuite: true,
          signal,
        });
        return {
          tests: Object.keys(run.statusMap ?? {}).length,
          exitCode: run.exitCode ?? -1,
          log: run.files['test_output.txt'] ?? run.error ?? '',
          statusMap: run.statusMap,
        };
      } finally {
        await sandbox.close();
      }
    },
  });
  input.logger?.info('environment obtained', {
    instance: instance.instance_id,
    attempts: obtained.attempts.map((a) => `${a.rung}: ${a.outcome}`),
  });
  return obtained;
}
