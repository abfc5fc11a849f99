import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoAsync } from '@repoforge/schema';
import git from 'isomorphic-git';
import { LRUCache } from 'lru-cache';
import { HarnessError } from './errors.js';
import type { RepoLocation } from './repo-source.js';

/** A commit's objects as one pack, with its index when the host could build it (the sandbox then need not). */
export interface PackedCommit {
  packfile: Uint8Array;
  /** The pack's .idx (git CLI path): the sandbox moves both into place instead of running index-pack. */
  index?: Uint8Array;
  objects: number;
}

/** Packs kept per process: gold and empty runs, validation repeats and rollout samples share a base commit. */
const PACKS_KEPT = 8;
const packs = new LRUCache<string, Promise<PackedCommit | null>>({ max: PACKS_KEPT });

/**
 * A packfile holding exactly the commit `oid`, its tree and every blob under it: enough for a shallow
 * repository at that commit, and nothing newer (no later history to peek at). The git CLI packs (and
 * indexes) a django commit in ~0.7 s where isomorphic-git takes 20-40 s and a GB of memory; isomorphic-git
 * stays the fallback for machines without git. The last few packs are kept in memory.
 */
export async function packCommitTree(
  location: RepoLocation,
  oid: string,
  options: {
    signal?: AbortSignal;
    /** Force the pure-JS path (benchmarks' baseline, tests). */
    via?: 'isomorphic-git';
    /** `false`: neither use nor fill the in-process cache of recent packs (measurements, one-off packs). */
    cache?: boolean;
  } = {},
): Promise<PackedCommit> {
  options.signal?.throwIfAborted();
  if (options.via === 'isomorphic-git' || !(await gitCliAvailable()))
    return packWithIsomorphicGit(location, oid);
  if (options.cache === false)
    return (await packWithGitCli(location.gitdir, oid)) ?? packWithIsomorphicGit(location, oid);
  const key = `${location.gitdir}\0${oid}`;
  const packed = await memoAsync(
    packs,
    key,
    async () => (await packWithGitCli(location.gitdir, oid)) ?? null,
    (p) => p !== null,
  );
  return packed ?? packWithIsomorphicGit(location, oid);
}

let gitCli: Promise<boolean> | undefined;
/** Whether a `git` binary answers on this machine (asked once per process). */
function gitCliAvailable(): Promise<boolean> {
  gitCli ??= new Promise((resolve) => execFile('git', ['--version'], (error) => resolve(!error)));
  return gitCli;
}

/**
 * A git directory the CLI accepts for `gitdir`'s objects. A read-only cache without a `refs/` folder (such
 * as a shallow fetch whose refs are all packed) is not a repository to git: it gets a scratch gitdir whose
 * objects point at the cache's through `objects/info/alternates`.
 */
async function cliGitdir(gitdir: string): Promise<string> {
  if (existsSync(join(gitdir, 'refs'))) return gitdir;
  const scratch = join(
    tmpdir(),
    `repoforge-git-${createHash('sha256').update(gitdir).digest('hex').slice(0, 16)}`,
  );
  if (!existsSync(join(scratch, 'HEAD'))) {
    const tmp = `${scratch}.${process.pid}.${Date.now()}`;
    await mkdir(join(tmp, 'refs'), { recursive: true });
    await mkdir(join(tmp, 'objects', 'info'), { recursive: true });
    await writeFile(join(tmp, 'objects', 'info', 'alternates'), `${join(gitdir, 'objects')}\n`);
    await writeFile(join(tmp, 'HEAD'), 'ref: refs/heads/main\n');
    await rename(tmp, scratch).catch(() => rm(tmp, { recursive: true, force: true }));
  }
  return scratch;
}

/** A git child's exit code (-1 when it could not start). */
const exited = (p: ReturnType<typeof spawn>) =>
  new Promise<number>((resolve) => {
    p.on('error', () => resolve(-1));
    p.on('close', (code) => resolve(code ?? -1));
  });

/**
 * `git rev-list --objects --no-walk <oid> | git pack-objects`, then `git index-pack` on the host; undefined
 * when git cannot. No delta search and light zlib: a checkout pack is read once, so the CPU of a small pack
 * (1.6 s for django) costs more than moving a 20% larger one (0.7 s).
 */
async function packWithGitCli(gitdir: string, oid: string): Promise<PackedCommit | undefined> {
  const dir = await cliGitdir(gitdir);
  const work = await mkdtemp(join(tmpdir(), 'repoforge-pack-'));
  try {
    const git = (args: string[], stdout: 'pipe' | 'ignore' = 'pipe') =>
      spawn('git', ['-c', 'safe.directory=*', `--git-dir=${dir}`, ...args], {
        stdio: ['pipe', stdout, 'ignore'],
      });
    const list = git(['rev-list', '--objects', '--no-walk', oid]);
    const pack = git(['pack-objects', '--window=0', '--compression=1', '-q', join(work, 'p')], 'ignore');
    let objects = 0;
    list.stdout!.on('data', (c: Buffer) => {
      for (const byte of c) if (byte === 10) objects++;
    });
    list.stdout!.pipe(pack.stdin!);
    const [listCode, packCode] = await Promise.all([exited(list), exited(pack)]);
    if (listCode !== 0 || packCode !== 0 || objects === 0) return undefined;
    // pack-objects wrote p-<hash>.pack and its .idx: the index is what the sandbox would otherwise build.
    const name = (await fs.promises.readdir(work)).find((f) => f.endsWith('.pack'))!;
    const [packfile, index] = await Promise.all([
      readFile(join(work, name)),
      readFile(join(work, name.replace(/\.pack$/, '.idx'))),
    ]);
    return { packfile: new Uint8Array(packfile), index: new Uint8Array(index), objects };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function packWithIsomorphicGit(location: RepoLocation, oid: string): Promise<PackedCommit> {
  const { gitdir, cache } = location;
  let commit: Awaited<ReturnType<typeof git.readCommit>>;
  try {
    commit = await git.readCommit({ fs, gitdir, oid, cache });
  } catch (error) {
    throw new HarnessError('COMMIT_NOT_FOUND', `commit ${oid} is not in ${gitdir}`, { cause: error });
  }
  const oids = new Set<string>([commit.oid]);
  const walk = async (treeOid: string) => {
    oids.add(treeOid);
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache });
    for (const entry of tree) {
      if (entry.type === 'tree') await walk(entry.oid);
      else if (entry.type === 'blob') oids.add(entry.oid);
      // submodule commits ('commit' entries) are not part of this repository's objects
    }
  };
  await walk(commit.commit.tree);
  const { packfile } = await git.packObjects({ fs, gitdir, oids: [...oids], write: false, cache });
  if (!packfile) throw new HarnessError('MATERIALIZE_FAILED', `could not pack ${oid}`);
  return { packfile, objects: oids.size };
}

/**
 * The shell steps that turn the pack (at `packPath` in the sandbox, its index beside it at `packPath.idx`
 * when the host sent one) into a shallow clone at `oid` in `dir`:
 * the real commit id, `git diff <base>` works, and nothing after it exists.
 */
export function materializeScript(dir: string, packPath: string, oid: string): string {
  // Few processes (each costs a fork+exec, and more under load): refs, HEAD and config are written with shell
  // builtins; `--template=` skips copying sample hooks.
  return [
    'set -e',
    // Emptied, not removed: the directory may be a mount point (a tmpfs /testbed).
    `mkdir -p ${dir} && cd ${dir} && find . -mindepth 1 -delete`,
    'git init -q --template=',
    // The host's index travels with the pack where it could build one: moved into place, no index-pack.
    `if [ -s ${packPath}.idx ]; then mkdir -p .git/objects/pack && mv ${packPath} .git/objects/pack/pack-base.pack && mv ${packPath}.idx .git/objects/pack/pack-base.idx; else git index-pack --stdin < ${packPath} > /dev/null && : > ${packPath}; fi`,
    `echo ${oid} > .git/shallow`,
    `echo ${oid} > .git/refs/heads/main`,
    "echo 'ref: refs/heads/main' > .git/HEAD",
    `printf '[user]\\n\\temail = repoforge@localhost\\n\\tname = RepoForge\\n[core]\\n\\tfileMode = false\\n' >> .git/config`,
    `printf '[safe]\\n\\tdirectory = ${dir}\\n' >> "\${HOME:-/root}/.gitconfig" 2>/dev/null || true`,
    'git reset -q --hard',
  ].join('\n');
}
