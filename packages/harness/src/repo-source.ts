import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { HarnessError } from './errors.js';

/** Where a repository's git objects live on this machine. */
export interface RepoLocation {
  gitdir: string;
  /** isomorphic-git's object cache, shared by every read of this repo. */
  cache: object;
}

/** Resolves `owner/name` to git objects. */
export interface RepoSource {
  resolve(repo: string, options?: { signal?: AbortSignal }): Promise<RepoLocation>;
}

/** Finds the git directory of a clone or a bare mirror at `path`, if any. */
function gitdirAt(path: string): string | undefined {
  if (existsSync(join(path, '.git', 'HEAD'))) return join(path, '.git');
  if (existsSync(join(path, 'HEAD')) && existsSync(join(path, 'objects'))) return path;
  return undefined;
}

export interface RepoCacheOptions {
  /** Folder of clones or mirrors named `owner/name` or `owner__name`. */
  cacheDir: string;
  /** Clone missing repos over https with isomorphic-git (default true). */
  clone?: boolean;
  /** URL of a repo (default `https://github.com/<owner>/<name>`). */
  urlOf?: (repo: string) => string;
  /** isomorphic-git HTTP client (default `isomorphic-git/http/node`). */
  http?: unknown;
}

/**
 * Repos from a local cache dir, cloned on first use (isomorphic-git, bare, into `<cacheDir>/owner__name`) and
 * shared by every instance of a repo. Concurrent requests for one repo clone once.
 */
export class RepoCache implements RepoSource {
  private readonly pending = new Map<string, Promise<RepoLocation>>();

  constructor(private readonly options: RepoCacheOptions) {}

  resolve(repo: string, options: { signal?: AbortSignal } = {}): Promise<RepoLocation> {
    let p = this.pending.get(repo);
    if (!p) {
      p = this.locate(repo, options.signal);
      this.pending.set(repo, p);
      p.catch(() => this.pending.delete(repo));
    }
    return p;
  }

  private async locate(repo: string, signal?: AbortSignal): Promise<RepoLocation> {
    const [owner, name] = repo.split('/');
    for (const candidate of [
      join(this.options.cacheDir, owner!, name!),
      join(this.options.cacheDir, `${owner}__${name}`),
      // Bare mirrors are conventionally named `<name>.git`.
      join(this.options.cacheDir, owner!, `${name}.git`),
      join(this.options.cacheDir, `${owner}__${name}.git`),
    ]) {
      const gitdir = gitdirAt(candidate);
      if (gitdir) return { gitdir, cache: {} };
    }
    if (this.options.clone === false) {
      throw new HarnessError(
        'REPO_NOT_FOUND',
        `${repo} is not in the repo cache ${this.options.cacheDir} (as ${owner}/${name} or ${owner}__${name}, optionally with .git)`,
      );
    }
    return this.cloneInto(repo, join(this.options.cacheDir, `${owner}__${name}`), signal);
  }

  private async cloneInto(repo: string, dest: string, signal?: AbortSignal): Promise<RepoLocation> {
    signal?.throwIfAborted();
    const url = this.options.urlOf?.(repo) ?? `https://github.com/${repo}`;
    const tmp = `${dest}.partial-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      const http = this.options.http ?? (await import('isomorphic-git/http/node')).default;
      // Bare (gitdir = the folder): a cache holds objects, never a checkout another run could disturb.
      await git.clone({
        fs,
        http: http as never,
        gitdir: tmp,
        dir: tmp,
        url,
        noCheckout: true,
        noTags: true,
      });
      await rename(tmp, dest);
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      throw new HarnessError('CLONE_FAILED', `could not clone ${url}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return { gitdir: dest, cache: {} };
  }
}

/**
 * A packfile holding exactly the commit `oid`, its tree and every blob under it: enough for a shallow
 * repository at that commit, and nothing newer (no later history to peek at). The git CLI packs a django
 * commit in ~2 s where isomorphic-git takes 20-40 s and a GB of memory; isomorphic-git stays the fallback
 * for machines without git.
 */
export async function packCommitTree(
  location: RepoLocation,
  oid: string,
  options: {
    signal?: AbortSignal /** Force the pure-JS path (benchmarks' baseline, tests). */;
    via?: 'isomorphic-git';
  } = {},
): Promise<{ packfile: Uint8Array; objects: number }> {
  options.signal?.throwIfAborted();
  if (options.via !== 'isomorphic-git' && (await gitCliAvailable())) {
    const packed = await packWithGitCli(location.gitdir, oid, options.signal);
    if (packed) return packed;
  }
  return packWithIsomorphicGit(location, oid);
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

/** `git rev-list --objects --no-walk <oid> | git pack-objects --stdout`; undefined when git cannot. */
async function packWithGitCli(
  gitdir: string,
  oid: string,
  signal?: AbortSignal,
): Promise<{ packfile: Uint8Array; objects: number } | undefined> {
  const dir = await cliGitdir(gitdir);
  const git = (args: string[]) =>
    spawn('git', ['-c', 'safe.directory=*', `--git-dir=${dir}`, ...args], {
      signal,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
  const list = git(['rev-list', '--objects', '--no-walk', oid]);
  const pack = git(['pack-objects', '--stdout', '-q']);
  let objects = 0;
  list.stdout.on('data', (c: Buffer) => {
    for (const byte of c) if (byte === 10) objects++;
  });
  list.stdout.pipe(pack.stdin);
  const chunks: Buffer[] = [];
  pack.stdout.on('data', (c: Buffer) => chunks.push(c));
  const exit = (p: ReturnType<typeof spawn>) =>
    new Promise<number>((resolve) => {
      p.on('error', () => resolve(-1));
      p.on('close', (code) => resolve(code ?? -1));
    });
  const [listCode, packCode] = await Promise.all([exit(list), exit(pack)]);
  signal?.throwIfAborted();
  if (listCode !== 0 || packCode !== 0 || objects === 0) return undefined;
  return { packfile: new Uint8Array(Buffer.concat(chunks)), objects };
}

async function packWithIsomorphicGit(
  location: RepoLocation,
  oid: string,
): Promise<{ packfile: Uint8Array; objects: number }> {
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
 * The shell steps that turn the pack (at `packPath` in the sandbox) into a shallow clone at `oid` in `dir`:
 * the real commit id, `git diff <base>` works, and nothing after it exists.
 */
export function materializeScript(dir: string, packPath: string, oid: string): string {
  // Few processes (each costs a fork+exec, and more under load): refs, HEAD and config are written with shell
  // builtins; `--template=` skips copying sample hooks.
  return [
    'set -e',
    `rm -rf ${dir} && mkdir -p ${dir} && cd ${dir}`,
    'git init -q --template=',
    `git index-pack --stdin < ${packPath} > /dev/null`,
    `echo ${oid} > .git/shallow`,
    `echo ${oid} > .git/refs/heads/main`,
    "echo 'ref: refs/heads/main' > .git/HEAD",
    `printf '[user]\\n\\temail = repoforge@localhost\\n\\tname = RepoForge\\n[core]\\n\\tfileMode = false\\n' >> .git/config`,
    `printf '[safe]\\n\\tdirectory = ${dir}\\n' >> "\${HOME:-/root}/.gitconfig" 2>/dev/null || true`,
    'git reset -q --hard',
    `: > ${packPath}`,
  ].join('\n');
}

/** The `version` of the repo's package.json at `oid`, if it has one. */
export async function packageVersionAt(location: RepoLocation, oid: string): Promise<string | undefined> {
  try {
    const { blob } = await git.readBlob({
      fs,
      gitdir: location.gitdir,
      oid,
      filepath: 'package.json',
      cache: location.cache,
    });
    const version = JSON.parse(Buffer.from(blob).toString('utf8')).version;
    return typeof version === 'string' && version ? version : undefined;
  } catch {
    return undefined;
  }
}
