import { type RepoLocation, runInstance, runsWholeSuite, testDirectives } from '@repoforge/harness';
import type { Logger, Sandbox, SandboxOptions } from '@repoforge/sandbox';
import type { Instance } from '@repoforge/schema';
import { type EnvProvider, envSpecOf } from './build/env-builder.js';
import { type ObtainedEnv, obtainEnv, type Rung } from './ladder.js';
import type { EnvPlan } from './spec.js';

/**
 * An environment for an instance that is accepted only when its planned test command really runs tests at
 * the instance's base commit (with its test patch, no network): @repoforge/deps' repair ladder,
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
  /**
   * Verify on the whole suite; by default the tests eval runs (runsWholeSuite): the instance's test files,
   * then the whole suite only when none of them ran.
   */
  wholeSuite?: boolean;
  rungs?: readonly Rung[];
  logger?: Logger;
  signal?: AbortSignal;
}): Promise<ObtainedEnv> {
  const { instance } = input;
  const obtained = await obtainEnv(input.plan, {
    provider: input.provider,
    rungs: input.rungs,
    signal: input.signal,
    verify: (spec, built, signal) =>
      verifyAsEvalRuns(
        instance,
        (wholeSuite) => verificationRun(input, spec, built.image, wholeSuite, signal),
        input,
      ),
  });
  input.logger?.info('environment obtained', {
    instance: instance.instance_id,
    attempts: obtained.attempts.map((a) => `${a.rung}: ${a.outcome}`),
  });
  return obtained;
}

/**
 * Verification on the tests eval will run: the instance's test files, or its whole suite where eval runs that
 * (runsWholeSuite). A run of the files that shows no test (an added test file that cannot load without the
 * fix, say) says nothing of the environment, so then the whole suite decides.
 */
export async function verifyAsEvalRuns<R extends { tests: number }>(
  instance: Instance,
  run: (wholeSuite: boolean) => Promise<R>,
  options: { wholeSuite?: boolean; logger?: Logger } = {},
): Promise<R> {
  if (runsWholeSuite(instance, options.wholeSuite) || !testDirectives(instance).length) return run(true);
  const selected = await run(false);
  if (selected.tests > 0) return selected;
  options.logger?.info('no test of the instance ran: verifying on the whole suite', {
    instance: instance.instance_id,
  });
  return run(true);
}

/** One verification run: the instance's tests (or its whole suite) at its base commit with the test patch. */
async function verificationRun(
  input: Parameters<typeof verifiedEnv>[0],
  spec: EnvPlan,
  image: string,
  wholeSuite: boolean,
  signal?: AbortSignal,
) {
  const { instance } = input;
  const sandbox = await input.createSandbox({ image, network: 'none', limits: { pids: 4096 }, signal });
  try {
    const run = await runInstance({
      instance,
      prediction: { instance_id: instance.instance_id, model_name_or_path: 'verify', model_patch: '' },
      spec: envSpecOf(spec, image),
      parser: spec.logParser,
      location: input.location,
      sandbox,
      timeoutMs: (input.timeoutSec ?? 900) * 1000,
      wholeSuite,
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
}
