export { type BackendUse, backendConflict, recipesOn } from './backend-rules.js';
export { packCommitTree } from './commit-pack.js';
export { runsWholeSuite, testDirectives } from './directives.js';
export { previousDurations } from './durations.js';
export { EnvImages, type EnvImagesOptions } from './env-images.js';
export { EnvValidation, EnvValidations } from './env-validation.js';
export { HarnessError, type HarnessErrorCode } from './errors.js';
export { evalPoolKey, evalSandboxCreator } from './eval-sandbox.js';
export { makeEvalScript } from './eval-script.js';
export { type Executor, LocalExecutor } from './executor.js';
export {
  canonicalTestName,
  type GradeOptions,
  type GradeResult,
  getEvalTestsReport,
  getLogsEval,
  getResolutionStatus,
  gradeLog,
  MARKERS,
  type ResolvedStatus,
} from './grading.js';
export { loadDataset, loadEnvSpecs, loadPredictions } from './load-inputs.js';
export { materializeRepo } from './materialize.js';
export { junitNamerFor, parseJUnitXml } from './parsers/junit.js';
export { docstringPairs } from './parsers/python.js';
export { FAIL_ONLY_REPOS, LOG_PARSERS, resolveLogParserName } from './parsers/registry.js';
export type { LogParser, ParseContext } from './parsers/types.js';
export { instanceLogDir, LOG_FILES, summaryPath } from './paths.js';
export { EnvAttemptRecord, EnvProvenance } from './provenance.js';
export { parseQueued } from './queue/codec.js';
export { DEFAULT_QUEUE_NAME, jobIdFor } from './queue/connection.js';
export { QueueExecutor, type QueueExecutorOptions } from './queue/executor.js';
export { serveHealth, type WorkerHealth } from './queue/health.js';
export {
  JobQueue,
  type JobQueueOptions,
  type JobResult,
  type JobWorkerHandle,
  type JobWorkerOptions,
  type QueuedJob,
  startJobWorker,
} from './queue/jobs.js';
export { RedisBuildLease, type RedisBuildLeaseOptions, redisBuildLease } from './queue/lease.js';
export { type QueueWorkerHandle, type QueueWorkerOptions, runQueueWorker } from './queue/worker.js';
export {
  DEFAULT_DEBIAN_BASE,
  type PipRecipeOptions,
  RECIPE_REPOS,
  type RecipeFlavour,
  type RecipeOptions,
  swebenchRecipe,
} from './recipes/swebench.js';
export { RepoCache, type RepoCacheOptions, type RepoLocation, type RepoSource } from './repo-source.js';
export {
  type EvaluationOptions,
  type EvaluationResult,
  type ResolvedEnv,
  runEvaluation,
} from './run-evaluation.js';
export { type ErrorClass, type RunProblem, runHealth } from './run-health.js';
export { type InstanceOutcome, type RunInstanceInput, runInstance } from './run-instance.js';
export { type RunImage, type RunResult, readRunResults, runImages } from './run-results.js';
export { RunRuntime, RuntimeVersions } from './runtime-probe.js';
export { type EnvValidationReport, validateEnvironments } from './validate-envs.js';
