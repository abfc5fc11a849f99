import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { memoAsync } from '@repoforge/schema';
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
    return memoAsync(this.pending, repo, () => this.locate(repo, options.signal));
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
