import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One commit of a generated repo: files to write (null deletes) and a message. */
export interface CommitSpec {
  files: Record<string, string | null>;
  message: string;
}

/** Runs git in `dir` with a fixed identity and dates, so generated histories are reproducible. */
export async function gitIn(dir: string, args: string[]): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
    GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  };
  const { stdout } = await run('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Creates a real git repository in `dir` with the given commits; returns their ids in order. */
export async function makeGitRepo(dir: string, commits: readonly CommitSpec[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await gitIn(dir, ['init', '-q', '-b', 'main']);
  const ids: string[] = [];
  for (const c of commits) {
    for (const [path, content] of Object.entries(c.files)) {
      const full = join(dir, path);
      if (content === null) await rm(full, { force: true });
      else {
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    await gitIn(dir, ['add', '-A']);
    await gitIn(dir, ['commit', '-q', '-m', c.message]);
    ids.push((await gitIn(dir, ['rev-parse', 'HEAD'])).trim());
  }
  return ids;
}

/** `git diff a b -- paths` text (what a task's patch / test_patch is). */
export function gitDiff(dir: string, from: string, to: string, paths: string[]): Promise<string> {
  return gitIn(dir, ['diff', '--no-color', from, to, '--', ...paths]);
}
