import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createSandbox,
  type ImageOps,
  type Logger,
  type ReapLeftovers,
  reapLeftoversBestEffort,
  type Sandbox,
  type SandboxOptions,
  SandboxPool,
} from '@repoforge/sandbox';
import {
  EnvSpec,
  type EnvSpecInput,
  type EnvSpecMap,
  envSpecFor,
  formatInstanceReportFile,
  formatRunSummary,
  goldPredictions,
  type Instance,
  isEmptyPatch,
  type OnProgress,
  type Prediction,
  parseJsonDocument,
  type RunSummary,
} from '@repoforge/schema';
import { acquireRunLock, writeFileAtomic } from '@repoforge/schema/node';
import { z } from 'zod';
import { runsWholeSuite } from './directives.js';
import { EnvImages } from './env-images.js';
import { EnvValidations } from './env-validation.js';
import { HarnessError } from './errors.js';
import { evalSandboxCreator } from './eval-sandbox.js';
import { type Executor, LocalExecutor } from './executor.js';
import { gradeLog } from './grading.js';
import { shorten } from './load-inputs.js';
import {
  datasetParserForPlannedRun,
  FAIL_ONLY_REPOS,
  LOG_PARSERS,
  MSWE_PARSERS,
  resolveLogParserName,
} from './parsers/registry.js';
import { instanceLogDir, LOG_FILES, summaryPath } from './paths.js';
import { EnvAttemptRecord, EnvProvenance } from './provenance.js';
import {
  RECIPE_REPOS,
  type RecipeFlavour,
  type RecipeOptions,
  recipeUnservable,
  swebenchRecipe,
} from './recipes/swebench.js';
import { packageVersionAt, type RepoSource } from './repo-source.js';
import { type ErrorClass, runHealth } from './run-health.js';
import type { InstanceOutcome } from './run-instance.js';
import { makeRunSummary, readReportVerdict } from './summary.js';
import { errorOutcome, evaluateTask, type InstanceTask, writeOutcomeFiles } from './task.js';

export interface EvaluationOptions {
  dataset: readonly Instance[];
  /** Predictions, or `gold` for each instance's own patch. */
  predictions: readonly Prediction[] | 'gold';
  runId: string;
  /** Where `logs/run_evaluation/...` and the summary go (default: the current directory). */
  reportDir?: string;
  instanceIds?: readonly string[];
  maxWorkers?: number;
  /** Per-instance timeout in seconds (default 1800, SWE-bench's). */
  timeoutSec?: number;
  envSpecs: EnvSpecMap;
  /**
   * The environment of an instance whose repo has no entry in `envSpecs` (e.g. planned and built by
   * @repoforge/deps from the repo itself). The env spec map always wins.
   */
  resolveEnv?: (instance: Instance, signal?: AbortSignal) => Promise<ResolvedEnv>;
  repoSource: RepoSource;
  /** Makes sandboxes (default: Docker via @repoforge/sandbox). */
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  envImages?: EnvImages;
  /** The image engine environments are built with, when no `envImages` is given (one with a registry shares them). */
  images?: ImageOps;
  /** Where instances run (default: a LocalExecutor with `maxWorkers`). */
  executor?: Executor;
  /**
   * Removes sandboxes an earlier, killed process of this run id left behind (Docker: `reapSandboxes({ runId })`
   * from `@repoforge/sandbox/docker`; local: `reapLocalSandboxes()`). Called once the run lock is held, so no
   * live process of this run id can own them; skipped with a remote `executor` (its workers own theirs).
   */
  reapLeftovers?: ReapLeftovers;
  /** Log parser for every instance, over the instance's own and the env spec's. */
  parser?: string;
  /** Regrade from saved logs; run nothing. */
  rewriteReports?: boolean;
  /** Run each instance this many times and report tests whose status differs (flaky). */
  repeat?: number;
  /**
   * Run the gold patch in each environment before its first verdict (once per environment and instance,
   * kept in `validations`): an environment where gold does not resolve makes its instances `unservable`
   * errors. Without it, a log that misses expected tests is still never a verdict (see evaluateTask).
   */
  validateEnvs?: boolean;
  /** Where gold validations are kept (default `<reportDir>/.repoforge/env-validations`). */
  validations?: EnvValidations;
  /**
   * The share of an instance's expected tests its log must show to carry a verdict (default 1: all); below
   * it the instance is a `tests_not_found` error.
   */
  minTestsSeen?: number;
  gradeMode?: 'strict' | 'legacy';
  /**
   * Run each instance's whole test suite (`{tests}` in a test command becomes nothing or its default).
   * Default: the instance's test files, except for Multi-SWE-bench rows, whose lists span whole suites.
   */
  wholeSuite?: boolean;
  /** Run instances that carry `image` and `eval_script` (SWE-bench's) in that image with that script. */
  useInstanceImages?: boolean;
  /**
   * Where instance images come from, as SWE-bench's `--namespace`: `myregistry:5000/swebench` turns the row's
   * `swebench/sweb.eval.x86_64.<id>:latest` into `myregistry:5000/swebench/sweb.eval.x86_64.<id>:latest`.
   */
  instanceImageNamespace?: string;
  /**
   * Built-in SWE-bench recipes for repos `envSpecs` does not name (django, sympy, requests, ...): `debian`
   * (apt only) or `pip` (SWE-bench's pins; needs PyPI and Docker Hub). Off when absent.
   */
  recipes?: RecipeFlavour;
  /**
   * Where the recipes' images and packages come from: the Debian flavour's base image (default
   * repoforge/base:bookworm), the pip flavour's `python:{python}` image and PyPI index (a mirror).
   */
  recipeOptions?: RecipeOptions;
  logger?: Logger;
  /**
   * `start` (with the resumed count as `skipped`), `working` while an instance's environment is obtained
   * (minutes on a cold cache) and when its tests start, `done` with its outcome.
   */
  onProgress?: OnProgress<InstanceOutcome>;
  signal?: AbortSignal;
}

export interface EvaluationResult {
  summary: RunSummary;
  summaryFile: string;
  outcomes: InstanceOutcome[];
  /** Prediction ids that are not in the dataset (reported, not silently dropped). */
  unknownPredictionIds: string[];
  /** Instances skipped because a previous run of this run id already finished them. */
  resumed: string[];
  /** Flaky tests per instance, when `repeat` > 1. */
  flaky: Record<string, string[]>;
  /** Instances whose log showed fewer than all of their expected test names (naming/harness problems). */
  unseenTests: Record<string, { expected: number; seen: number }>;
  /** Tests left out of grading per instance because they need the internet (the env spec's `network_tests`). */
  networkExcluded: Record<string, string[]>;
  /** Why each error instance of this run got no verdict (also in its `error.json`). */
  errors: Record<string, { class: ErrorClass; reason: string }>;
}

function selectDataset(dataset: readonly Instance[], ids?: readonly string[]): Instance[] {
  if (!ids?.length) return [...dataset];
  const byId = new Map(dataset.map((i) => [i.instance_id, i]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length)
    throw new HarnessError('UNKNOWN_INSTANCE', `instance ids not in the dataset: ${missing.join(', ')}`);
  return ids.map((id) => byId.get(id)!);
}

/**
 * Rows adapted from Multi-SWE-bench carry no version; theirs is the repo's package.json `version` at the base
 * commit, so env specs can differ per version as they do for SWE-bench rows.
 */
async function withPackageVersions(dataset: Instance[], options: EvaluationOptions): Promise<Instance[]> {
  return Promise.all(
    dataset.map(async (inst) => {
      if (inst.version || inst.origin !== 'multi-swe-bench') return inst;
      const version = await options.repoSource
        .resolve(inst.repo, { signal: options.signal })
        .then((loc) => packageVersionAt(loc, inst.base_commit))
        .catch(() => undefined);
      return version ? { ...inst, version } : inst;
    }),
  );
}

/** What `resolveEnv` gives: an env spec, and how it was obtained when that is known. */
export interface ResolvedEnv {
  spec: EnvSpecInput;
  attempts?: readonly EnvAttemptRecord[];
}

const specHash = (spec: unknown) =>
  createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);

/** An instance's image under another namespace (SWE-bench's naming: the last path part is kept). */
function instanceImageRef(image: string, namespace?: string): string {
  if (!namespace) return image;
  return `${namespace.replace(/\/+$/, '')}/${image.slice(image.lastIndexOf('/') + 1)}`;
}

/** The environment an instance will get, and where it comes from, or the reason it cannot run. */
async function envOf(
  inst: Instance,
  options: EvaluationOptions,
  plan: boolean,
): Promise<{ spec?: EnvSpec; provenance: EnvProvenance; ownEvalScript?: string }> {
  if (options.useInstanceImages && inst.image && inst.eval_script) {
    const image = instanceImageRef(inst.image, options.instanceImageNamespace);
    const spec = EnvSpec.parse({ image, test_cmd: '(the instance eval_script)' });
    return { spec, provenance: { source: 'instance-image', detail: image }, ownEvalScript: inst.eval_script };
  }
  if (options.envSpecs[inst.repo]) {
    const spec = envSpecFor(options.envSpecs, inst);
    return { spec, provenance: { source: 'env-spec', detail: specHash(spec) } };
  }
  if (options.recipes && RECIPE_REPOS.includes(inst.repo)) {
    const why = recipeUnservable(inst, options.recipes);
    if (why)
      throw new HarnessError('NOT_SERVABLE', `not servable by the ${options.recipes} recipe flavour: ${why}`);
    const recipe = swebenchRecipe(inst, options.recipes, options.recipeOptions);
    if (recipe) {
      const spec = EnvSpec.parse(recipe);
      return { spec, provenance: { source: 'recipe', detail: `${options.recipes}:${specHash(spec)}` } };
    }
  }
  if (options.resolveEnv) {
    const got = plan ? await options.resolveEnv(inst, options.signal) : undefined;
    const provenance: EnvProvenance = { source: 'planned', detail: 'planned from the repo' };
    // Recorded for the report only: resuming compares source and detail, not how the ladder got there.
    if (got?.attempts?.length) provenance.attempts = EnvAttemptRecord.array().parse(got.attempts);
    return { spec: got ? EnvSpec.parse(got.spec) : undefined, provenance };
  }
  return { spec: envSpecFor(options.envSpecs, inst), provenance: { source: 'env-spec', detail: '' } };
}

/**
 * The log parser of an instance: `options.parser`, else the instance's own, else the env spec's (a planned
 * environment's parser first: it knows its runner). Rows from Multi-SWE-bench name tests its way, so the
 * runner's parser gives way to the one that names them so too.
 */
function parserFor(
  inst: Instance,
  options: EvaluationOptions,
  specParser: string | undefined,
  planned: boolean,
): string | undefined {
  // A parser module the env spec names is the user's word for this repo: it wins over the instance's.
  const custom = specParser !== undefined && !Object.hasOwn(LOG_PARSERS, specParser);
  // A planned runner's parser, unless the instance's own reads the same output (its names are the dataset's).
  const plannedParser = planned ? (datasetParserForPlannedRun(inst, specParser) ?? specParser) : undefined;
  const parser = resolveLogParserName(inst, {
    override: options.parser ?? (custom ? specParser : plannedParser),
    envSpecParser: specParser,
  });
  if (options.parser || inst.origin !== 'multi-swe-bench' || !parser) return parser;
  return MSWE_PARSERS[parser] ?? parser;
}

/** The task for an instance, or the reason it cannot run (no env spec, no parser). */
async function makeTask(
  inst: Instance,
  prediction: Prediction,
  options: EvaluationOptions,
): Promise<InstanceTask | Error> {
  try {
    const { spec, provenance, ownEvalScript } = await envOf(inst, options, true);
    // A planned environment brings its own runner: its parser wins over the instance's, which was written
    // for the dataset's runner (never pair a runner with another runner's parser).
    const planned = provenance.source === 'planned';
    const parser = parserFor(inst, options, spec!.log_parser, planned);
    if (!parser)
      throw new HarnessError(
        'NO_LOG_PARSER',
        `no log parser for ${inst.instance_id}: set log_parser in the env spec`,
      );
    return {
      runId: options.runId,
      instance: inst,
      prediction,
      spec: spec!,
      parser,
      provenance,
      timeoutMs: (spec!.timeout ?? options.timeoutSec ?? 1800) * 1000,
      repeat: Math.max(1, options.repeat ?? 1),
      gradeMode: options.gradeMode ?? 'strict',
      ownEvalScript,
      validateEnvs: options.validateEnvs,
      minTestsSeen: options.minTestsSeen,
      wholeSuite: runsWholeSuite(inst, options.wholeSuite),
    };
  } catch (error) {
    return error as Error;
  }
}

/**
 * Whether a finished result may be reused: it must come from the same environment source this run uses.
 * Returns the reason to rerun it, or undefined.
 */
async function staleResult(
  dir: string,
  inst: Instance,
  options: EvaluationOptions,
): Promise<string | undefined> {
  let current: EnvProvenance;
  try {
    current = (await envOf(inst, options, false)).provenance;
  } catch {
    return undefined;
  }
  const saved = await readFile(join(dir, LOG_FILES.environment), 'utf8').then(
    (t) => EnvProvenance.safeParse(JSON.parse(t)),
    () => undefined,
  );
  if (!saved?.success) return 'its environment was not recorded';
  const before = saved.data;
  if (before.source === current.source && before.detail === current.detail) return undefined;
  return `it ran in ${before.source} (${before.detail}), this run uses ${current.source} (${current.detail})`;
}

/**
 * Evaluates predictions on instances, SWE-bench-compatibly: per-instance logs and report.json under
 * `logs/run_evaluation/<run_id>/<model>/<instance_id>/`, and `<model>.<run_id>.json`. Re-running a run id
 * skips what is finished, so a crash or kill -9 loses nothing and duplicates nothing. A second evaluation
 * of the same run id in the same report dir, while one is running, refuses (`RUN_LOCKED`).
 */
export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationResult> {
  const reportDir = options.reportDir ?? process.cwd();
  const lockFile = join(
    reportDir,
    '.repoforge',
    'run-locks',
    `eval-${encodeURIComponent(options.runId)}.lock`,
  );
  const lock = await acquireRunLock(lockFile, `run id '${options.runId}'`);
  try {
    // Regrading saved logs starts no sandbox (no engine needed); a remote executor's workers own theirs.
    if (!options.executor && !options.rewriteReports)
      await reapLeftoversBestEffort({
        reap: options.reapLeftovers,
        dockerDefault: !options.createSandbox,
        runId: options.runId,
        signal: options.signal,
        logger: options.logger,
      });
    return await evaluateRun(options, reportDir);
  } finally {
    await lock.release();
  }
}

/** The predictions of the selected instances (one model per run), and the ids no instance has. */
function selectPredictions(options: EvaluationOptions, dataset: readonly Instance[]) {
  const datasetIds = new Set(options.dataset.map((i) => i.instance_id));
  const list = options.predictions === 'gold' ? goldPredictions(dataset) : options.predictions;
  const unknownPredictionIds = list.filter((p) => !datasetIds.has(p.instance_id)).map((p) => p.instance_id);
  if (unknownPredictionIds.length) {
    options.logger?.warn('predictions for instances not in the dataset were ignored', {
      ids: unknownPredictionIds,
    });
  }
  const selected = new Set(dataset.map((i) => i.instance_id));
  const predictions = new Map(list.filter((p) => selected.has(p.instance_id)).map((p) => [p.instance_id, p]));
  const models = new Set([...predictions.values()].map((p) => p.model_name_or_path));
  if (models.size > 1)
    throw new HarnessError(
      'INPUT_INVALID',
      `predictions name several models (${[...models]
        .slice(0, 3)
        .map((m) => shorten(m))
        .join(', ')}${models.size > 3 ? ', ...' : ''}): one run evaluates one model`,
    );
  return { predictions, unknownPredictionIds, model: [...models][0] ?? 'gold' };
}

/** Instances to run now, and those whose earlier result stands (same environment, a verdict on disk). */
async function planResume(
  runnable: readonly Instance[],
  dirOf: (id: string) => string,
  options: EvaluationOptions,
): Promise<{ todo: Instance[]; resumed: string[] }> {
  const resumed: string[] = [];
  const todo: Instance[] = [];
  for (const inst of runnable) {
    const dir = dirOf(inst.instance_id);
    const verdict = await readReportVerdict(dir, inst.instance_id);
    if (options.rewriteReports || typeof verdict !== 'boolean') {
      todo.push(inst);
      continue;
    }
    const stale = await staleResult(dir, inst, options);
    if (stale) {
      options.logger?.warn(`rerunning ${inst.instance_id}: ${stale}`, { instance: inst.instance_id });
      todo.push(inst);
    } else resumed.push(inst.instance_id);
  }
  return { todo, resumed };
}

/** Collects outcomes as they come: writes each one's files, and the run's flaky/unseen/excluded/error lists. */
function outcomeRecorder(options: EvaluationOptions, dirOf: (id: string) => string, total: number) {
  const tally = {
    outcomes: [] as InstanceOutcome[],
    flaky: {} as Record<string, string[]>,
    unseenTests: {} as Record<string, { expected: number; seen: number }>,
    networkExcluded: {} as Record<string, string[]>,
    errors: {} as EvaluationResult['errors'],
  };
  let done = 0;
  const record = async (id: string, outcome: InstanceOutcome) => {
    await writeOutcomeFiles(dirOf(id), outcome);
    const seen = outcome.testsSeen;
    if (seen && seen.seen < seen.expected) {
      tally.unseenTests[id] = seen;
      options.logger?.warn(
        `${id}: ${seen.seen} of ${seen.expected} expected tests were seen in the log (see ${LOG_FILES.testsSeen})`,
        { instance: id },
      );
    }
    if (outcome.flaky) tally.flaky[id] = outcome.flaky;
    if (outcome.excluded) tally.networkExcluded[id] = outcome.excluded;
    if (outcome.status === 'error')
      tally.errors[id] = { class: outcome.errorClass ?? 'error', reason: outcome.error ?? '' };
    tally.outcomes.push(outcome);
    options.onProgress?.({ type: 'done', id, result: outcome, done: ++done, total });
  };
  return { tally, record };
}

/** Runs the instances' tasks on the executor, each in a pooled sandbox of its environment. */
async function runTasks(
  todo: readonly Instance[],
  predictions: ReadonlyMap<string, Prediction>,
  options: EvaluationOptions,
  reportDir: string,
  record: (id: string, outcome: InstanceOutcome) => Promise<void>,
): Promise<void> {
  const tasks: InstanceTask[] = [];
  for (const inst of todo) {
    options.onProgress?.({ type: 'working', id: inst.instance_id, what: 'obtaining its environment' });
    const task = await makeTask(inst, predictions.get(inst.instance_id)!, options);
    if (task instanceof Error) await record(inst.instance_id, errorOutcome(inst.instance_id, task));
    else tasks.push(task);
  }
  const make = options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  const envImages =
    options.envImages ??
    new EnvImages({ createSandbox: make, builder: options.images, logger: options.logger });
  const pool = new SandboxPool({
    warm: 1,
    max: (options.maxWorkers ?? 1) + 1,
    create: evalSandboxCreator(make, { runId: options.runId }),
    logger: options.logger,
  });
  const executor = options.executor ?? new LocalExecutor(options.maxWorkers ?? 1);
  const validations =
    options.validations ?? new EnvValidations(join(reportDir, '.repoforge', 'env-validations'));
  try {
    await executor.run(
      tasks,
      (task, signal) => {
        options.onProgress?.({ type: 'working', id: task.instance.instance_id, what: 'running its tests' });
        return evaluateTask(task, {
          repoSource: options.repoSource,
          envImages,
          pool,
          validations,
          logger: options.logger,
          signal,
        });
      },
      {
        signal: options.signal,
        onOutcome: (task, outcome) => {
          // What produced the result, beside it: a later run of this id reruns it if its environment differs.
          if (task.provenance)
            outcome.files[LOG_FILES.environment] = JSON.stringify({
              ...task.provenance,
              ...(outcome.runtime ? { runtime: outcome.runtime } : {}),
            });
          return record(task.instance.instance_id, outcome);
        },
      },
    );
  } finally {
    await pool.close();
  }
}

async function evaluateRun(options: EvaluationOptions, reportDir: string): Promise<EvaluationResult> {
  const dataset = await withPackageVersions(selectDataset(options.dataset, options.instanceIds), options);
  const { predictions, unknownPredictionIds, model } = selectPredictions(options, dataset);
  const dirOf = (id: string) => instanceLogDir(reportDir, options.runId, model, id);
  const runnable = dataset.filter(
    (i) => predictions.has(i.instance_id) && !isEmptyPatch(predictions.get(i.instance_id)!),
  );
  const { todo, resumed } = await planResume(runnable, dirOf, options);
  options.onProgress?.({ type: 'start', total: todo.length, skipped: resumed.length });
  const { tally, record } = outcomeRecorder(options, dirOf, todo.length);
  if (options.rewriteReports) {
    for (const inst of todo)
      await record(
        inst.instance_id,
        await regrade(inst, predictions.get(inst.instance_id)!, dirOf(inst.instance_id), options),
      );
  } else if (todo.length) await runTasks(todo, predictions, options, reportDir, record);

  const summary = await makeRunSummary({ dataset, predictions, reportDir, runId: options.runId });
  const summaryFile = summaryPath(reportDir, options.runId, model);
  await writeFileAtomic(summaryFile, formatRunSummary(summary));
  return { summary, summaryFile, unknownPredictionIds, resumed, ...tally };
}

/** The parser the run graded this log with (tests_seen.json), when it recorded one; a damaged file is none. */
async function savedParser(logDir: string): Promise<string | undefined> {
  const text = await readFile(join(logDir, LOG_FILES.testsSeen), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseJsonDocument(text, z.object({ parser: z.string().optional() })).parser;
  } catch {
    return undefined;
  }
}

async function regrade(
  inst: Instance,
  prediction: Prediction,
  logDir: string,
  options: EvaluationOptions,
): Promise<InstanceOutcome> {
  let log: string;
  try {
    log = await readFile(join(logDir, LOG_FILES.testOutput), 'utf8');
  } catch {
    return errorOutcome(inst.instance_id, new Error('no saved test_output.txt to regrade'));
  }
  const spec = options.envSpecs[inst.repo] ? envSpecFor(options.envSpecs, inst) : undefined;
  const parser =
    options.parser ?? (await savedParser(logDir)) ?? parserFor(inst, options, spec?.log_parser, false);
  if (!parser) throw new HarnessError('NO_LOG_PARSER', `no log parser for ${inst.instance_id}`);
  const graded = gradeLog({
    instance: inst,
    modelPatch: prediction.model_patch,
    log,
    parser,
    options: {
      mode: options.gradeMode,
      failOnly: FAIL_ONLY_REPOS.has(inst.repo),
      exclude: spec?.network_tests,
    },
  });
  if (graded.error)
    return errorOutcome(inst.instance_id, new Error(`${graded.error}: the saved log ends in a timeout`));
  // As in a run, a log that shows too few of the expected tests carries no verdict. (A run may still keep one when
  // the gold patch resolves in the same environment; a regrade runs nothing, so it says error, and why.)
  const problem = runHealth({
    statusMap: graded.statusMap,
    log,
    expected: inst,
    minTestsSeen: options.minTestsSeen,
    failOnly: FAIL_ONLY_REPOS.has(inst.repo),
  });
  if (problem)
    return errorOutcome(
      inst.instance_id,
      new Error(`${problem.reason} (regraded from the saved log)`),
      problem.class,
    );
  return {
    instance_id: inst.instance_id,
    status: 'completed',
    report: graded.report,
    statusMap: graded.statusMap,
    timings: {},
    files: { [LOG_FILES.report]: formatInstanceReportFile(inst.instance_id, graded.report) },
  };
}
