export { type MinedCommit, walkHistory, type WalkOptions } from './history.js';
export { changedFiles, type FileChange, readBlobBytes } from './tree-diff.js';
export { gitFileDiff, isBinary } from './unified-diff.js';
