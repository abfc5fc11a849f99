export { objectSize, type PackIndexCache } from './blob-size.js';
export { type Candidate, toCandidate } from './candidates.js';
export {
  type CandidateLimits,
  DEFAULT_LIMITS,
  DEFAULT_TEST_RULES,
  isDocFile,
  isGenerated,
  isLockfile,
  isTestFile,
  type RejectReason,
  splitChange,
  type TestFileRules,
} from './classify.js';
export { Evidence, formatCounts, RunEvidence } from './evidence.js';
export { formattingOnly } from './formatting.js';
export { emptyFunnel, type Funnel } from './funnel.js';
export { type MinedCommit, type WalkOptions, walkHistory } from './history.js';
export {
  type MineOptions,
  type MineResult,
  mineRepository,
  type Rejection,
  repoNameOf,
} from './mine.js';
export { MINE_QUEUE_NAME, type MineWorkerOptions, runMineWorker } from './mine-queue.js';
export { refuseAlternates } from './repo-location.js';
export {
  issueRefs,
  llmStatementRewriter,
  problemStatement,
  type RewriteMessage,
  type StatementOptions,
  type StatementSource,
  statementFromCommit,
} from './statement.js';
export { type StatementQuality, statementQuality } from './statement-quality.js';
export {
  compareWithSwebench,
  type FidelityRow,
  reconstructFixCommit,
} from './swebench-fidelity.js';
export { deriveTransitions, type Transitions } from './transitions.js';
export { changedFiles, type FileChange, fileAtCommit, readBlobBytes } from './tree-diff.js';
export { gitFileDiff, isBinary } from './unified-diff.js';
export { packageVersion } from './version.js';
