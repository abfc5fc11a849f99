import * as fs from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import git from 'isomorphic-git';

/** One commit of a generated history: files to write (null deletes) and a message. */
export interface RecipeCommit {
  message: string;
  files: Record<string, string | null>;
}

/**
 * Writes a real git repository with isomorphic-git (no git binary needed): one commit per recipe step, fixed
 * author and one-hour-apart dates so the history is reproducible. Returns the commit ids.
 */
export async function writeRepo(
  dir: string,
  commits: readonly RecipeCommit[],
  start = Date.UTC(2024, 0, 1) / 1000,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await git.init({ fs, dir, defaultBranch: 'main' });
  const ids: string[] = [];
  for (const [i, c] of commits.entries()) {
    for (const [path, content] of Object.entries(c.files)) {
      if (content === null) {
        await rm(join(dir, path), { force: true });
        await git.remove({ fs, dir, filepath: path });
      } else {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
        await git.add({ fs, dir, filepath: path });
      }
    }
    const who = {
      name: 'RepoForge Demo',
      email: 'demo@repoforge.local',
      timestamp: start + i * 3600,
      timezoneOffset: 0,
    };
    ids.push(await git.commit({ fs, dir, message: c.message, author: who, committer: who }));
  }
  return ids;
}
