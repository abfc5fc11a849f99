import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitIn, makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { toCandidate } from './candidates.js';
import { walkHistory } from './history.js';

const HUGE = 2 ** 31 + 2 ** 28; // 2.25 GiB: past 2^31, where 32-bit size arithmetic breaks

/**
 * A commit adding a multi-GB file beside a real fix (#17). isomorphic-git reads a blob whole, so the miner
 * must learn the size from the object's header: the commit is `too_large` and the blob is never read.
 * (No Docker; an integration test for its 15 s of git compressing 2.25 GiB.)
 */
describe('a commit with a multi-GB blob', () => {
  it('is too_large, known without reading the blob', { timeout: 300_000 }, async () => {
    await using dir = await tempDir();
    const repo = join(dir.path, 'repo');
    await makeGitRepo(repo, [
      {
        message: 'calc',
        files: { 'calc.py': 'def add(a, b):\n    return a - b\n', 'tests/test_calc.py': '' },
      },
      {
        message: 'fix add, and a dump',
        files: {
          'calc.py': 'def add(a, b):\n    return a + b\n',
          'tests/test_calc.py': 'def test_add():\n    pass\n',
        },
      },
    ]);
    // A sparse file (no disk), added with fast compression: git streams a file this big straight into a pack.
    await writeFile(join(repo, 'dump.bin'), '');
    await truncate(join(repo, 'dump.bin'), HUGE);
    await gitIn(repo, ['-c', 'core.compression=1', 'add', 'dump.bin']);
    await gitIn(repo, ['commit', '-q', '--amend', '--no-edit']);

    const [commit] = await walkHistory({ gitdir: join(repo, '.git'), maxCommits: 1 });
    const before = process.memoryUsage().arrayBuffers;
    expect(await toCandidate(join(repo, '.git'), commit!)).toEqual({ reject: 'too_large' });
    // Reading it would have held 2.25 GiB (and its inflate) in buffers.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
