export { type BackendUse, backendConflict, recipesOn } from './backend-rules.js';
export { type PackedCommit, packCommitTree } from './commit-pack.js';
export { NON_TEST_EXTS, testDirectives } from './directives.js';
export { previousDurations } from './durations.js';
export { EnvImages, type EnvImagesOptions } from './env-images.js';
export { EnvValidation, EnvValidations } from './env-validation.js';
export { HarnessError, type HarnessErrorCode } from './errors.js';
export { evalPoolKey, evalSandboxCreator, TESTBED_TMPFS } from './eval-sandbox.js';
export { type EvalScriptInput, filesOfPatch, makeEvalScript } from './eval-script.js';
export { type Executor, LocalExecutor } from './executor.js';
export { flakyTests } from './flaky.js';
export {
  canonicalTestName,
  exitCodeFromLog,
  expectedTestsSeen,
  type GradeOptions,
  type GradeResult,
  getEvalTestsReport,
  getLogsEval,
  getResolutionStatus,
  gradeLog,
  isTimedOutLog,
  MARKERS,
  type ResolvedStatus,
} from './grading.js';
export { loadDataset, loadEnvSpecs, loadPredictions } from './load-inputs.js';
export { materializeRepo } from './materialize.js';
export {
  type JUnitCase,
  junitNamerFor,
  parseJUnitXml,
  pytestJUnitName,
  vitestJUnitName,
} from './parsers/junit.js';
export { parseLogMsweJest, parseLogMsweMocha } from './parsers/mswe.js';
export { docstringPairs } from './parsers/python.js';
export {
  FAIL_ONLY_REPOS,
  LOG_PARSERS,
  MSWE_PARSERS,
  REPO_PARSERS,
  resolveLogParserName,
} from './parsers/registry.js';
export type { LogParser, ParseContext } from './parsers/types.js';
export { instanceLogDir, LOG_FILES, modelDirName, summaryPath } from './paths.js';
export { EnvAttemptRecord, EnvProvenance } from './provenance.js';
export { decodeOutcome, type EncodedOutcome, encodeOutcome } from './queue/codec.js';
export { assertRedisReachable, DEFAULT_QUEUE_NAME, jobIdFor, redisConnection } from './queue/connection.js';
export { priorities, QueueExecutor, type QueueExecutorOptions } from './queue/executor.js';
export { type QueueWorkerHandle, type QueueWorkerOptions, runQueueWorker } from './queue/worker.js';
export {
  DEFAULT_DEBIAN_BASE,
  DEFAULT_DEBIAN_OLD_BASE,
  type PipRecipeOptions,
  RECIPE_REPOS,
  type RecipeFlavour,
  type RecipeOptions,
  recipeUnservable,
  swebenchRecipe,
  swebenchRecipeMap,
} from './recipes/swebench.js';
export {
  packageVersionAt,
  RepoCache,
  type RepoCacheOptions,
  type RepoLocation,
  type RepoSource,
} from './repo-source.js';
export {
  type EvaluationEvent,
  type EvaluationOptions,
  type EvaluationResult,
  instanceImageRef,
  type ResolvedEnv,
  runEvaluation,
} from './run-evaluation.js';
export { type ErrorClass, fatalLine, type RunProblem, runHealth } from './run-health.js';
export { type InstanceOutcome, type RunInstanceInput, runInstance } from './run-instance.js';
export { type RunResult, readRunResults } from './run-results.js';
export { makeRunSummary } from './summary.js';
export {
  errorOutcome,
  evaluateTask,
  type InstanceTask,
  type TaskContext,
  writeOutcomeFiles,
} from './task.js';
export { type EnvValidationReport, validateEnvironments } from './validate-envs.js';
