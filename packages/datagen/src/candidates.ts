import { objectSize, type PackIndexCache } from './blob-size.js';
import {
  type CandidateLimits,
  DEFAULT_LIMITS,
  DEFAULT_TEST_RULES,
  type RejectReason,
  splitChange,
  type TestFileRules,
} from './classify.js';
import { formattingOnly } from './formatting.js';
import type { MinedCommit } from './history.js';
import { changedFiles, type FileChange, readBlobBytes } from './tree-diff.js';
import { gitFileDiff, isBinary } from './unified-diff.js';

/** A commit that may become a task: its parent, and its diff split into the fix and the tests. */
export interface Candidate {
  commit: MinedCommit;
  parent: string;
  patch: string;
  testPatch: string;
  testFiles: string[];
  codeFiles: string[];
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function countChanges(diff: string): { lines: number; hunks: number } {
  let lines = 0;
  let hunks = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('@@')) hunks++;
    else if ((l.startsWith('+') && !l.startsWith('+++')) || (l.startsWith('-') && !l.startsWith('---')))
      lines++;
  }
  return { lines, hunks };
}

/** Whether a changed file's old or new blob is over the limit (a multi-GB blob must not be read to learn it). */
async function anyBlobOver(
  gitdir: string,
  changes: FileChange[],
  maxBytes: number,
  packs: PackIndexCache | undefined,
): Promise<boolean> {
  for (const c of changes)
    for (const oid of [c.oldOid, c.newOid])
      if (oid && ((await objectSize(gitdir, oid, packs)) ?? 0) > maxBytes) return true;
  return false;
}

/**
 * Turns a commit into a candidate or says why not: merges and root commits, commits without both test and
 * code changes, docs/lockfile/generated-only, binary or formatting-only changes, and oversized ones are rejected.
 */
export async function toCandidate(
  gitdir: string,
  commit: MinedCommit,
  options: { limits?: CandidateLimits; rules?: TestFileRules; cache?: object; packs?: PackIndexCache } = {},
): Promise<Candidate | { reject: RejectReason }> {
  if (commit.parents.length > 1) return { reject: 'merge_commit' };
  const parent = commit.parents[0];
  if (!parent) return { reject: 'root_commit' };
  const cache = options.cache ?? {};
  let changes: Awaited<ReturnType<typeof changedFiles>>;
  try {
    changes = await changedFiles(gitdir, parent, commit.oid, cache);
  } catch (error) {
    // isomorphic-git refuses to read such trees; git would refuse to check them out. Not a task, not a crash.
    if ((error as { code?: string }).code === 'UnsafeFilepathError') return { reject: 'unsafe_path' };
    throw error;
  }
  const split = splitChange(
    changes.map((c) => c.path),
    options.rules ?? DEFAULT_TEST_RULES,
  );
  if ('reject' in split) return split;
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (changes.length > limits.maxFiles) return { reject: 'too_large' };
  if (await anyBlobOver(gitdir, changes, limits.maxBlobBytes ?? DEFAULT_LIMITS.maxBlobBytes!, options.packs))
    return { reject: 'too_large' };
  let patch = '';
  let testPatch = '';
  let codeFormattingOnly = true;
  for (const c of changes) {
    const before = c.oldOid ? await readBlobBytes(gitdir, c.oldOid, cache) : undefined;
    const after = c.newOid ? await readBlobBytes(gitdir, c.newOid, cache) : undefined;
    if ((before && isBinary(before)) || (after && isBinary(after))) return { reject: 'binary_change' };
    const oldText = before ? text(before) : null;
    const newText = after ? text(after) : null;
    const diff = gitFileDiff({ ...c, oldText, newText });
    if (split.tests.includes(c.path)) testPatch += diff;
    else if (split.code.includes(c.path)) {
      patch += diff;
      if (oldText === null || newText === null || !formattingOnly(oldText, newText, c.path))
        codeFormattingOnly = false;
    }
  }
  if (codeFormattingOnly) return { reject: 'formatting_only' };
  const size = countChanges(patch + testPatch);
  if (size.lines > limits.maxLines || size.hunks > limits.maxHunks) return { reject: 'too_large' };
  return { commit, parent, patch, testPatch, testFiles: split.tests, codeFiles: split.code };
}
