import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Instance } from '@repoforge/schema';

const run = promisify(execFile);

/**
 * SWE-bench's work, redone as a commit: a repository whose HEAD is the instance's fix (`patch` + `test_patch`)
 * committed on top of `base_commit`, with the problem statement as its message. Mining that commit should
 * give back the instance. Its `origin` is the repo's GitHub URL, as in a clone, so the miner knows its name. `sourceGitdir` holds the base commit (a repo cache's `owner__name.git`, read-only
 * and shallow is fine); the new repository owns its objects (no alternates left behind).
 */
export async function reconstructFixCommit(
  instance: Pick<
    Instance,
    'repo' | 'base_commit' | 'patch' | 'test_patch' | 'problem_statement' | 'created_at'
  >,
  sourceGitdir: string,
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const git = (args: string[], env: Record<string, string> = {}) =>
    run('git', ['-c', 'safe.directory=*', '-C', dir, ...args], {
      signal: options.signal,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...env },
    });
  await mkdir(dir, { recursive: true });
  await git(['init', '-q', '-b', 'main']);
  // As a clone of the repo would have it: the miner names the repo from its origin.
  await git(['remote', 'add', 'origin', `https://github.com/${instance.repo}.git`]);
  const objects = join(dir, '.git', 'objects', 'info');
  await writeFile(join(objects, 'alternates'), `${join(sourceGitdir, 'objects')}\n`);
  // A shallow source lists its base commits as shallow: git must not look for their parents.
  await copyFile(join(sourceGitdir, 'shallow'), join(dir, '.git', 'shallow')).catch(() => undefined);
  await git(['reset', '-q', '--hard', instance.base_commit]);
  for (const [name, diff] of [
    ['fix.diff', instance.patch],
    ['tests.diff', instance.test_patch],
  ] as const) {
    const file = join(dir, '.git', name);
    await writeFile(file, diff.endsWith('\n') ? diff : `${diff}\n`);
    await git(['apply', '--whitespace=nowarn', file]);
    await rm(file);
  }
  await git(['add', '-A']);
  const when = instance.created_at || '2020-01-01T00:00:00Z';
  const who = { GIT_AUTHOR_NAME: 'swe-bench', GIT_AUTHOR_EMAIL: 'swe-bench@example.invalid' };
  const message = (instance.problem_statement || 'fix').slice(0, 100_000);
  await git(['commit', '-q', '--no-verify', '-m', message], {
    ...who,
    GIT_COMMITTER_NAME: who.GIT_AUTHOR_NAME,
    GIT_COMMITTER_EMAIL: who.GIT_AUTHOR_EMAIL,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  });
  // Own every object: mining reads with isomorphic-git, which does not follow alternates.
  await git(['repack', '-a', '-d', '-q']);
  await rm(join(objects, 'alternates'));
  return (await git(['rev-parse', 'HEAD'])).stdout.trim();
}

/** How a mined instance compares with SWE-bench's for the same fix. */
export interface FidelityRow {
  /** FAIL_TO_PASS equal as sets (same names). */
  f2pEqual: boolean;
  /** Share of SWE-bench's PASS_TO_PASS the mined instance has. */
  p2pRecall: number;
  /** Share of the mined PASS_TO_PASS that SWE-bench has too. */
  p2pPrecision: number;
  f2pMissing: string[];
  f2pExtra: string[];
}

/** Compares FAIL_TO_PASS and PASS_TO_PASS of a mined instance with SWE-bench's. */
export function compareWithSwebench(
  swebench: Pick<Instance, 'FAIL_TO_PASS' | 'PASS_TO_PASS'>,
  mined: Pick<Instance, 'FAIL_TO_PASS' | 'PASS_TO_PASS'>,
): FidelityRow {
  const minedF2p = new Set(mined.FAIL_TO_PASS);
  const sweF2p = new Set(swebench.FAIL_TO_PASS);
  const minedP2p = new Set(mined.PASS_TO_PASS);
  const sweP2p = new Set(swebench.PASS_TO_PASS);
  const share = (of: Set<string>, within: Set<string>) =>
    of.size ? [...of].filter((t) => within.has(t)).length / of.size : 1;
  const f2pMissing = [...sweF2p].filter((t) => !minedF2p.has(t));
  const f2pExtra = [...minedF2p].filter((t) => !sweF2p.has(t));
  return {
    f2pEqual: f2pMissing.length === 0 && f2pExtra.length === 0,
    p2pRecall: share(sweP2p, minedP2p),
    p2pPrecision: share(minedP2p, sweP2p),
    f2pMissing,
    f2pExtra,
  };
}
