import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { repoNameOf, walkHistory } from './index.js';

const run = promisify(execFile);

describe('mining knobs', () => {
  it('--max-commits counts non-merge commits; a local clone is named by its origin', async () => {
    await using dir = await tempDir();
    const repo = join(dir.path, 'tool');
    const git = (...args: string[]) =>
      run('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
    await run('git', ['init', '-q', '-b', 'main', repo]);
    for (const f of ['a', 'b']) {
      await writeFile(join(repo, f), f);
      await git('add', f);
      await git('commit', '-q', '-m', f);
    }
    await git('checkout', '-q', '-b', 'side');
    await writeFile(join(repo, 'c'), 'c');
    await git('add', 'c');
    await git('commit', '-q', '-m', 'c');
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    const two = await walkHistory({ gitdir: join(repo, '.git'), maxCommits: 2 });
    // The merge is listed but not counted: two real commits come with it.
    expect(two.filter((c) => c.parents.length <= 1)).toHaveLength(2);
    expect(two.some((c) => c.parents.length > 1)).toBe(true);

    expect(await repoNameOf(repo)).toBe('local/tool');
    await git('remote', 'add', 'origin', 'git@github.com:acme/tool.git');
    expect(await repoNameOf(repo)).toBe('acme/tool');
    expect(await repoNameOf(repo, 'x/y')).toBe('x/y');
    expect(await repoNameOf('https://github.com/unjs/ufo.git')).toBe('unjs/ufo');
  });
});
