import { join } from 'node:path';
import type { Logger, SandboxPool } from '@repoforge/sandbox';
import type { Instance, Prediction } from '@repoforge/schema';
import { writeFileAtomic } from '@repoforge/schema/node';
import type { EnvImages } from './env-images.js';
import type { EnvSpec } from './env-spec.js';
import { evalPoolKey } from './eval-sandbox.js';
import { flakyTests } from './flaky.js';
import { LOG_FILES } from './paths.js';
import type { EnvProvenance } from './provenance.js';
import type { RepoSource } from './repo-source.js';
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
}

/** What a worker has locally: the repos, the environment images, a sandbox pool. */
export interface TaskContext {
  repoSource: RepoSource;
  envImages: EnvImages;
  pool: SandboxPool;
  logger?: Logger;
  signal?: AbortSignal;
}

/** An error outcome with its instance log. */
export function errorOutcome(instanceId: string, error: unknown): InstanceOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    instance_id: instanceId,
    status: 'error',
    error: message,
    timings: {},
    files: { [LOG_FILES.instanceLog]: `${new Date().toISOString()} - Error: ${message}\n` },
  };
}

/**
 * The per-instance work, identical in-process and on queue workers: environment image, sandbox from the pool,
 * `runInstance` (repeated when asked, flaky tests compared). Failures become error outcomes, never throws.
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
    const runs: InstanceOutcome[] = [];
    for (let i = 0; i < Math.max(1, task.repeat); i++) {
      const lease = await ctx.pool.acquire(evalPoolKey(image, location !== undefined), {
        signal: ctx.signal,
      });
      try {
        runs.push(
          await runInstance({
            instance,
            prediction: task.prediction,
            spec: task.spec,
            parser: task.parser,
            location,
            sandbox: lease.sandbox,
            timeoutMs: task.timeoutMs,
            gradeMode: task.gradeMode,
            ownEvalScript: task.ownEvalScript,
            wholeSuite: task.wholeSuite,
            signal: ctx.signal,
          }),
        );
      } finally {
        await lease.release();
      }
    }
    const first = runs[0]!;
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

/** Writes an outcome's files into its log folder atomically; report.json last, so its presence means done. */
export async function writeOutcomeFiles(logDir: string, outcome: InstanceOutcome): Promise<void> {
  const names = Object.keys(outcome.files).sort(
    (a, b) => Number(a === LOG_FILES.report) - Number(b === LOG_FILES.report),
  );
  for (const name of names) await writeFileAtomic(join(logDir, name), outcome.files[name]!);
}
