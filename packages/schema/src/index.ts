export {
  formatRecordIssue,
  RecordError,
  type RecordIssue,
  type RecordLocation,
  RepoForgeError,
  type ErrorKind,
  toRepoForgeError,
} from './errors.js';
export {
  Difficulty,
  Instance,
  type InstanceInput,
  type SerializedInstance,
  serializeInstance,
} from './instance.js';
export { instanceFromMultiSweBench, MultiSweBenchRow } from './multi-swe-bench.js';
export { InstanceId, ModelName } from './names.js';
export { goldPredictions, isEmptyPatch, Prediction } from './prediction.js';
export { parsePythonStringList, pythonJsonDumps } from './python-literals.js';
export { parseJsonDocument } from './json-document.js';
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
export { decodeTestList, encodeTestList, TestList } from './test-list.js';
export { TestStatus, TestStatusMap } from './test-status.js';
export { ChatMessage, StopReason, TokenTrace, ToolCall, Trajectory } from './trajectory.js';
export { renderTestCmd, shellQuote, TESTS_PLACEHOLDER } from './test-cmd.js';
export { memoAsync } from './memo.js';
