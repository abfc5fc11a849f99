import * as fs from 'node:fs';
import git from 'isomorphic-git';

/** One file that differs between two commits. */
export interface FileChange {
  path: string;
  kind: 'add' | 'modify' | 'delete';
  oldOid?: string;
  newOid?: string;
  oldMode?: string;
  newMode?: string;
}

/** Files that differ between two commits' trees (isomorphic-git walk; no checkout, no diff text). */
export async function changedFiles(
  gitdir: string,
  from: string,
  to: string,
  cache: object = {},
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  await git.walk({
    fs,
    gitdir,
    cache,
    trees: [git.TREE({ ref: from }), git.TREE({ ref: to })],
    map: async (path, [a, b]) => {
      if (path === '.') return true;
      const [ta, tb] = [await a?.type(), await b?.type()];
      if (ta === 'tree' || tb === 'tree') {
        if (ta === 'tree' && tb === 'tree' && (await a!.oid()) === (await b!.oid())) return null; // same subtree: skip
        if (ta === 'tree' || tb === 'tree') {
          // A file replaced by a directory (or back) is a delete plus adds, reported by the recursion.
          if (ta === 'blob')
            changes.push({
              path,
              kind: 'delete',
              oldOid: await a!.oid(),
              oldMode: (await a!.mode()).toString(8),
            });
          if (tb === 'blob')
            changes.push({
              path,
              kind: 'add',
              newOid: await b!.oid(),
              newMode: (await b!.mode()).toString(8),
            });
          return true;
        }
      }
      if (ta !== 'blob' && tb !== 'blob') return null; // submodules and the like
      const [oa, ob] = [
        ta === 'blob' ? await a!.oid() : undefined,
        tb === 'blob' ? await b!.oid() : undefined,
      ];
      const [ma, mb] = [
        ta === 'blob' ? (await a!.mode()).toString(8) : undefined,
        tb === 'blob' ? (await b!.mode()).toString(8) : undefined,
      ];
      if (oa === ob && ma === mb) return null;
      changes.push({
        path,
        kind: !oa ? 'add' : !ob ? 'delete' : 'modify',
        oldOid: oa,
        newOid: ob,
        oldMode: ma,
        newMode: mb,
      });
      return null;
    },
  });
  return changes.sort((x, y) => (x.path < y.path ? -1 : 1));
}

/** A blob's bytes. */
export async function readBlobBytes(gitdir: string, oid: string, cache: object = {}): Promise<Uint8Array> {
  return (await git.readBlob({ fs, gitdir, oid, cache })).blob;
}

/** A file's text at a commit, or undefined when absent. */
export async function fileAtCommit(
  gitdir: string,
  commit: string,
  filepath: string,
  cache: object = {},
): Promise<string | undefined> {
  try {
    const { blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath, cache });
    return Buffer.from(blob).toString('utf8');
  } catch {
    return undefined;
  }
}
