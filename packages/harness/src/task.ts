import { join } from 'node:path';
import type { Logger, SandboxPool } from '@repoforge/sandbox';
import type { EnvSpec, Instance, Prediction } from '@repoforge/schema';
import { writeFileAtomic } from '@repoforge/schema/node';
import type { EnvImages } from './env-images.js';
import type { EnvValidation, EnvValidations } from './env-validation.js';
import { HarnessError } from './errors.js';
import { evalPoolKey } from './eval-sandbox.js';
import { flakyTests } from './flaky.js';
import { LOG_FILES } from './paths.js';
import type { EnvProvenance } from './provenance.js';
import type { RepoSource } from './repo-source.js';
import type { ErrorClass } from './run-health.js';
import { type InstanceOutcome, runInstance } from './run-instance.js';

/**
 * Everything a worker needs to evaluate one instance, as plain JSON (it travels through a queue): the
 * environment and parser are resolved by the producer, so a worker needs only Docker and the repo.
 */
export interface InstanceTask {
  runId: string;
  instance: Instance;
  prediction: Prediction;
  spec: EnvSpec;
  parser: string;
  timeoutMs: number;
  repeat: number;
  gradeMode: 'strict' | 'legacy';
  ownEvalScript?: string;
  /** Run whole suites instead of each instance's test files. */
  wholeSuite?: boolean;
  /** Where the environment came from: written beside the report, checked on resume. */
  provenance?: EnvProvenance;
  /** Run the gold patch in the environment before the first verdict there (cached per env and instance). */
  validateEnvs?: boolean;
  /** The share of expected tests a log must show to carry a verdict (default 1). */
  minTestsSeen?: number;
}

/** What a worker has locally: the repos, the environment images, a sandbox pool. */
export interface TaskContext {
  repoSource: RepoSource;
  envImages: EnvImages;
  pool: SandboxPool;
  /** Gold-patch validations of environments (needed to tell a broken environment from a breaking patch). */
  validations?: EnvValidations;
  logger?: Logger;
  signal?: AbortSignal;
}

/** The class of an error that stopped an instance before it had a log to grade. */
function classOf(error: unknown): ErrorClass {
  if (error instanceof HarnessError && error.code === 'NOT_SERVABLE') return 'unservable';
  if (error instanceof HarnessError && error.code === 'ENV_BUILD_FAILED') return 'env_build_failed';
  return 'error';
}

/** An error outcome with its instance log. */
export function errorOutcome(instanceId: string, error: unknown, errorClass?: ErrorClass): InstanceOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    instance_id: instanceId,
    status: 'error',
    errorClass: errorClass ?? classOf(error),
    error: message,
    timings: {},
    files: { [LOG_FILES.instanceLog]: `${new Date().toISOString()} - Error: ${message}\n` },
  };
}

/** A run's outcome turned into an error: its log and statuses kept as evidence, no report.json. */
function withoutVerdict(outcome: InstanceOutcome, errorClass: ErrorClass, reason: string): InstanceOutcome {
  const { [LOG_FILES.report]: _report, ...files } = outcome.files;
  files[LOG_FILES.instanceLog] =
    `${files[LOG_FILES.instanceLog] ?? ''}${new Date().toISOString()} - Error (${errorClass}): ${reason}\n`;
  const { report: _r, ...rest } = outcome;
  return { ...rest, status: 'error', errorClass, error: reason, files };
}

/** What a gold run says of its environment. */
function validationOf(env: string, outcome: InstanceOutcome): EnvValidation {
  const status = outcome.report?.tests_status;
  const failing = status ? [...status.FAIL_TO_PASS.failure, ...status.PASS_TO_PASS.failure] : [];
  const resolved = outcome.report?.resolved === true && !outcome.problem;
  const reason = resolved
    ? undefined
    : (outcome.problem?.reason ??
      outcome.error ??
      `the gold patch leaves ${failing.length} expected test(s) failing, e.g. ${failing.slice(0, 3).join(' | ')}`);
  return {
    env,
    instance_id: outcome.instance_id,
    resolved,
    ...(reason ? { reason } : {}),
    failing: failing.slice(0, 20),
    validated_at: new Date().toISOString(),
  };
}

const isGold = (task: InstanceTask) => task.prediction.model_patch === task.instance.patch;

/**
 * The per-instance work, identical in-process and on queue workers: environment image, sandbox from the pool,
 * `runInstance` (repeated when asked, flaky tests compared). No verdict comes from an environment that cannot
 * run the instance's tests: with `validateEnvs` the gold patch runs there first (once per env and instance);
 * without, a log that shows no test or misses expected ones is an error when the patch is gold, and otherwise
 * asks the same gold validation whether the environment or the patch is to blame. Failures become error
 * outcomes, never throws.
 */
export async function evaluateTask(task: InstanceTask, ctx: TaskContext): Promise<InstanceOutcome> {
  const { instance } = task;
  try {
    // An instance image holds its repo at /testbed already: the repo is neither resolved nor cloned.
    const location =
      task.ownEvalScript === undefined
        ? await ctx.repoSource.resolve(instance.repo, { signal: ctx.signal })
        : undefined;
    const t = performance.now();
    const image = await ctx.envImages.imageFor(task.spec, instance, location, ctx.signal);
    const envMs = Math.round(performance.now() - t);
    const runOnce = async (prediction: Prediction) => {
      const lease = await ctx.pool.acquire(evalPoolKey(image, location !== undefined), {
        signal: ctx.signal,
      });
      try {
        return await runInstance({
          instance,
          prediction,
          spec: task.spec,
          parser: task.parser,
          location,
          sandbox: lease.sandbox,
          timeoutMs: task.timeoutMs,
          gradeMode: task.gradeMode,
          ownEvalScript: task.ownEvalScript,
          wholeSuite: task.wholeSuite,
          minTestsSeen: task.minTestsSeen,
          signal: ctx.signal,
        });
      } finally {
        await lease.release();
      }
    };
    // The gold run of a validation, when this process made it: a gold prediction reuses it.
    let goldRun: InstanceOutcome | undefined;
    const validate = () => {
      if (!ctx.validations)
        throw new HarnessError('INPUT_INVALID', 'validating environments needs an EnvValidations store');
      return ctx.validations.obtain(image, instance.instance_id, async () => {
        goldRun = await runOnce({ ...task.prediction, model_patch: instance.patch });
        return validationOf(image, goldRun);
      });
    };
    if (task.validateEnvs) {
      const v = await validate();
      const why = `not servable: the environment ${image} does not pass the gold patch (${v.reason})`;
      if (!v.resolved) {
        const out = errorOutcome(instance.instance_id, why, 'unservable');
        // The gold run's files, when it ran now, are the evidence (a saved validation has only its reason).
        for (const [name, text] of Object.entries(goldRun?.files ?? {}))
          if (name !== LOG_FILES.report) out.files[`gold-validation/${name}`] = text;
        return out;
      }
    }
    const runs: InstanceOutcome[] = [];
    for (let i = 0; i < Math.max(1, task.repeat); i++)
      runs.push(i === 0 && goldRun && isGold(task) ? goldRun : await runOnce(task.prediction));
    const first = await judgeProblem(task, runs[0]!, image, ctx.validations ? validate : undefined);
    first.timings.env_ms = envMs;
    first.files[LOG_FILES.timings] = JSON.stringify(first.timings);
    if (runs.length > 1) {
      runs.slice(1).forEach((r, i) => {
        for (const [name, text] of Object.entries(r.files)) first.files[`repeat-${i + 2}/${name}`] = text;
      });
      first.flaky = flakyTests(runs.map((r) => r.statusMap ?? {}));
      first.files['flaky_tests.json'] = JSON.stringify({ runs: runs.length, flaky: first.flaky }, null, 2);
    }
    return first;
  } catch (error) {
    ctx.signal?.throwIfAborted();
    ctx.logger?.warn('instance failed', { instance: instance.instance_id, error: String(error) });
    return errorOutcome(instance.instance_id, error);
  }
}

/**
 * A run whose log shows no test, or too few of the expected ones: a gold patch cannot be to blame (error);
 * another patch can (a syntax error stops collection), so the environment's gold validation decides. Without a
 * validation store the environment gets the benefit of no doubt: an error.
 */
async function judgeProblem(
  task: InstanceTask,
  outcome: InstanceOutcome,
  env: string,
  validate: (() => Promise<EnvValidation>) | undefined,
): Promise<InstanceOutcome> {
  const { problem } = outcome;
  if (!problem || outcome.status !== 'completed') return outcome;
  // An environment that cannot meet the commit's requirements serves no patch.
  if (isGold(task) || !validate || problem.class === 'unservable')
    return withoutVerdict(outcome, problem.class, problem.reason);
  const v = await validate();
  if (!v.resolved)
    return withoutVerdict(
      outcome,
      problem.class,
      `${problem.reason}; the gold patch does not resolve in ${env} either (${v.reason})`,
    );
  outcome.files[LOG_FILES.instanceLog] +=
    `${new Date().toISOString()} - The gold patch resolves in ${env}: the missing tests are this patch's doing; the verdict stands\n`;
  return outcome;
}

/** Writes an outcome's files into its log folder atomically; report.json last, so its presence means done. */
export async function writeOutcomeFiles(logDir: string, outcome: InstanceOutcome): Promise<void> {
  if (outcome.status === 'error')
    outcome.files[LOG_FILES.error] = JSON.stringify({
      class: outcome.errorClass ?? 'error',
      reason: outcome.error ?? '',
    });
  const names = Object.keys(outcome.files).sort(
    (a, b) => Number(a === LOG_FILES.report) - Number(b === LOG_FILES.report),
  );
  for (const name of names) await writeFileAtomic(join(logDir, name), outcome.files[name]!);
}
