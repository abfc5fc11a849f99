import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RepoCache, type RepoLocation } from '@repoforge/harness';
import { RepoForgeError } from '@repoforge/schema';

/** Where mining reads a repo: a local clone or mirror, or a URL cloned into `cacheDir`. */
export async function locateRepo(
  options: { repo: string; cacheDir?: string; signal?: AbortSignal },
  name: string,
): Promise<RepoLocation> {
  if (/^https?:\/\//.test(options.repo)) {
    const cache = new RepoCache({
      cacheDir: options.cacheDir ?? '.repoforge/repos',
      urlOf: () => options.repo,
    });
    return cache.resolve(name, { signal: options.signal });
  }
  const gitdir = existsSync(join(options.repo, '.git')) ? join(options.repo, '.git') : options.repo;
  if (!existsSync(join(gitdir, 'HEAD')))
    throw new RepoForgeError(
      'REPO_NOT_FOUND',
      `${options.repo}: not a git repository (no ${join(gitdir, 'HEAD')})`,
    );
  refuseAlternates(options.repo, gitdir);
  return { gitdir, cache: {} };
}

/**
 * A clone made with `--shared` or `--reference` borrows objects from another repository (git alternates).
 * Mining reads objects with isomorphic-git, which does not follow alternates and would fail mid-run on the
 * first borrowed object: refused up front as bad input, with the way out.
 */
export function refuseAlternates(repo: string, gitdir: string): void {
  const file = join(gitdir, 'objects', 'info', 'alternates');
  const borrowed = existsSync(file) && readFileSync(file, 'utf8').trim();
  if (!borrowed) return;
  throw new RepoForgeError(
    'INPUT_INVALID',
    `${repo}: borrows objects from ${borrowed.split('\n')[0]} (git alternates: a clone made with --shared or --reference), which mining cannot read; run \`git -C ${repo} repack -a -d && rm ${file}\`, or clone without --shared/--reference`,
  );
}
