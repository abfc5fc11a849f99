export { type MinedCommit, walkHistory, type WalkOptions } from './history.js';
export { changedFiles, type FileChange, readBlobBytes } from './tree-diff.js';
export { gitFileDiff, isBinary } from './unified-diff.js';
export {
  type CandidateLimits,
  DEFAULT_LIMITS,
  DEFAULT_TEST_RULES,
  formattingOnly,
  isDocFile,
  isGenerated,
  isLockfile,
  isTestFile,
  type RejectReason,
  splitChange,
  type TestFileRules,
} from './classify.js';
export { deriveTransitions, type Transitions } from './transitions.js';
