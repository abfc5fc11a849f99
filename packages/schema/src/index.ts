export { untilAborted } from './abort.js';
export { APT_CLEANUP, DROP_UNUSED_PERL } from './apt-steps.js';
export { EnvSpec, type EnvSpecInput, EnvSpecMap, envSpecFor } from './env-spec.js';
export { ERROR_CODES, type ErrorCode, kindOf } from './error-codes.js';
export {
  type ErrorKind,
  formatRecordIssue,
  RecordError,
  type RecordIssue,
  type RecordLocation,
  RepoForgeError,
  toRepoForgeError,
} from './errors.js';
export { type DiffFile, type DiffHunk, parseGitDiff } from './git-diff.js';
export {
  Difficulty,
  Instance,
  type InstanceInput,
  type SerializedInstance,
  serializeInstance,
} from './instance.js';
export { parseJsonDocument } from './json-document.js';
export {
  DEBIAN_PYTHON_BASE,
  DEBIAN_SHARED_STACKS,
  DEBIAN_UNSERVABLE_INSTANCES,
  type DebianEnv,
  debianEnvOf,
  debianSuiteOf,
  KNOWN_REPOS,
  type KnownRepo,
  knownRepo,
  swebenchPython,
  unittestNaming,
  versionFromSource,
} from './known-repos.js';
export { memoAsync, type PromiseCache } from './memo.js';
export { instanceFromMultiSweBench, MultiSweBenchRow } from './multi-swe-bench.js';
export { InstanceId, ModelName } from './names.js';
export { goldPredictions, isEmptyPatch, Prediction } from './prediction.js';
export type { OnProgress, ProgressEvent } from './progress.js';
export { parsePythonStringList, pythonJsonDumps } from './python-literals.js';
export {
  PREBUILT_TAR,
  pythonBuildSteps,
  pythonPreTest,
  UNMET_MARKER,
  unmetRequirements,
} from './python-steps.js';
export {
  decodeUtf8File,
  formatJsonl,
  formatZodPath,
  type ParseRecordsOptions,
  type ParseRecordsResult,
  parseRecords,
  streamJsonlRecords,
} from './records.js';
export {
  formatInstanceReportFile,
  formatRunSummary,
  InstanceReport,
  InstanceReportFile,
  RunSummary,
  TestOutcomeLists,
  TestsStatus,
} from './report.js';
export { type RetryOptions, retry, type TryResult } from './retry.js';
export { renderTestCmd, shellQuote, TESTS_PLACEHOLDER } from './test-cmd.js';
export { decodeTestList, encodeTestList, TestList } from './test-list.js';
export { TestStatus, TestStatusMap } from './test-status.js';
export { ChatMessage, StopReason, TokenTrace, ToolCall, Trajectory } from './trajectory.js';
