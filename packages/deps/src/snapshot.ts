import * as fs from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import git from 'isomorphic-git';

/**
 * What planning sees of a repo at one commit: every path, and the text of the files planning reads (manifests,
 * lockfiles, test config). Pure data, so planning is a pure function.
 */
export interface RepoSnapshot {
  paths: readonly string[];
  files: ReadonlyMap<string, string>;
  /** When the commit was made (ISO), for choices that follow the era (the Node of its day); absent for a dir. */
  committedAt?: string;
}

/** The files that declare what an environment installs (a fix's changes to them are planned with: below). */
const DEPENDENCY_FILES = [
  // Every package.json: the root's, and those of workspace packages (plan/workspaces.ts).
  /(^|\/)package\.json$/,
  /^pnpm-workspace\.yaml$/,
  /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/,
  /^pyproject\.toml$/,
  /^setup\.(py|cfg)$/,
  /^requirements[^/]*\.txt$/,
  /^requirements\/[^/]+\.txt$/,
];

const MANIFEST = [
  ...DEPENDENCY_FILES,
  /^\.nvmrc$/,
  /^\.node-version$/,
  /^\.yarnrc\.yml$/,
  /^(tox|pytest)\.ini$/,
  /^\.python-version$/,
  /^manage\.py$/,
  /^(tests|test)\/runtests\.py$/,
  /^runtests\.py$/,
  // karma's config names the files its browser suite serves (plan/karma.ts).
  /^(test\/)?karma\.conf(ig)?\.[cm]?[jt]s$/,
];

/** Whether planning reads this file's contents (everything else is only listed). */
function isManifest(path: string): boolean {
  return MANIFEST.some((re) => re.test(path));
}

/** A snapshot from an in-memory file map (tests, tools). */
export function snapshotFromFiles(
  files: Record<string, string>,
  extraPaths: readonly string[] = [],
): RepoSnapshot {
  return {
    paths: [...new Set([...Object.keys(files), ...extraPaths])].sort(),
    files: new Map(Object.entries(files)),
  };
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', 'dist', 'build']);

/** A snapshot of a working directory on disk. */
export async function snapshotFromDir(dir: string): Promise<RepoSnapshot> {
  const paths: string[] = [];
  const files = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(join(d, e.name));
      } else if (e.isFile()) {
        const rel = relative(dir, join(d, e.name)).split('\\').join('/');
        paths.push(rel);
        if (isManifest(rel)) files.set(rel, await readFile(join(d, e.name), 'utf8'));
      }
    }
  };
  await walk(dir);
  return { paths: paths.sort(), files };
}

/** A snapshot of a commit read straight from git objects (isomorphic-git; no checkout). */
export async function snapshotFromGit(options: {
  gitdir: string;
  oid: string;
  cache?: object;
}): Promise<RepoSnapshot> {
  const { gitdir, oid } = options;
  const cache = options.cache ?? {};
  const paths: string[] = [];
  const files = new Map<string, string>();
  const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
  const walk = async (treeOid: string, prefix: string) => {
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
    for (const e of tree) {
      const p = prefix ? `${prefix}/${e.path}` : e.path;
      if (e.type === 'tree') {
        if (!SKIP_DIRS.has(e.path)) await walk(e.oid, p);
      } else if (e.type === 'blob') {
        paths.push(p);
        if (isManifest(p)) {
          const { blob } = await git.readBlob({ fs, gitdir, oid: e.oid, cache });
          files.set(p, Buffer.from(blob).toString('utf8'));
        }
      }
    }
  };
  await walk(commit.tree, '');
  const committedAt = new Date(commit.committer.timestamp * 1000).toISOString();
  return { paths: paths.sort(), files, committedAt };
}

/** The commit id of a ref or (abbreviated) id in a git directory; undefined when it names no object there. */
export async function resolveCommit(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir, ref });
  } catch {
    return git.expandOid({ fs, gitdir, oid: ref }).catch(() => undefined);
  }
}

/** A patch's files, or none when the diff parser cannot read it (then the commit is planned as it is). */
function parsedOrNone(patch: string) {
  try {
    return parsePatch(patch);
  } catch {
    return [];
  }
}

/**
 * The snapshot with its dependency files as a patch (an instance's reference fix) leaves them. SWE-bench's eval
 * scripts reinstall after applying the patch, with the network (axios-5316's fix adds the devDependency its new
 * tests import); test containers here have none, so the environment is planned with what the fix declares.
 * Returns the files changed; a hunk that does not apply leaves its file as it was.
 */
export function withPatchedDependencies(
  snapshot: RepoSnapshot,
  patch: string | undefined,
): { snapshot: RepoSnapshot; changed: string[] } {
  const files = new Map(snapshot.files);
  const changed: string[] = [];
  for (const file of patch ? parsedOrNone(patch) : []) {
    const path = file.newFileName?.replace(/^b\//, '');
    if (!path || !DEPENDENCY_FILES.some((re) => re.test(path)) || !file.hunks.length) continue;
    // A new file's patch applies only where the file is not there yet (as `git apply` would have it).
    const isNew = file.oldFileName === '/dev/null';
    const before = isNew ? (files.has(path) ? undefined : '') : files.get(path);
    if (before === undefined) continue;
    const after = applyPatch(before, file);
    if (after === false) continue;
    files.set(path, after);
    changed.push(path);
  }
  if (!changed.length) return { snapshot, changed };
  const paths = [...new Set([...snapshot.paths, ...changed])].sort();
  return { snapshot: { ...snapshot, paths, files }, changed };
}
