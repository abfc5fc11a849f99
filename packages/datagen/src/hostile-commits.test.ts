import * as fs from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import git from 'isomorphic-git';
import { describe, expect, it } from 'vitest';
import { toCandidate } from './candidates.js';
import { walkHistory } from './history.js';

/**
 * Hostile repository content met by the miner (#17): a commit whose tree holds an entry named `..` (git's
 * classic path escape; isomorphic-git writes it) beside a real fix, and a commit adding a 24 MiB binary (a multi-GB one: huge-blob.integration.test.ts).
 * Mining only reads objects on the host (nothing is checked out there), so neither may write outside the
 * repo; both are rejected with their reason, and the run goes on.
 */
describe('hostile commits', () => {
  it('a `..` tree entry is rejected as unsafe_path and writes nothing on the host; a huge binary is rejected as binary_change', async () => {
    await using dir = await tempDir();
    const repo = join(dir.path, 'nest', 'repo');
    const [base] = await makeGitRepo(repo, [
      {
        message: 'calc',
        files: { 'calc.py': 'def add(a, b):\n    return a - b\n', 'tests/test_calc.py': '' },
      },
    ]);
    const gitdir = join(repo, '.git');
    const blob = (text: string | Buffer) => git.writeBlob({ fs, gitdir, blob: Buffer.from(text) });
    const tests = await git.writeTree({
      fs,
      gitdir,
      tree: [
        {
          mode: '100644',
          path: 'test_calc.py',
          oid: await blob('from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n'),
          type: 'blob',
        },
      ],
    });
    const tree = await git.writeTree({
      fs,
      gitdir,
      tree: [
        { mode: '100644', path: '..', oid: await blob('pwned\n'), type: 'blob' },
        {
          mode: '100644',
          path: 'calc.py',
          oid: await blob('def add(a, b):\n    return a + b\n'),
          type: 'blob',
        },
        { mode: '040000', path: 'tests', oid: tests, type: 'tree' },
      ],
    });
    const author = { name: 'x', email: 'x@x', timestamp: 1_700_000_000, timezoneOffset: 0 };
    const evil = await git.writeCommit({
      fs,
      gitdir,
      commit: { message: 'fix add\n', tree, parent: [base!], author, committer: author },
    });
    await git.writeRef({ fs, gitdir, ref: 'refs/heads/main', value: evil, force: true });
    const before = await readdir(join(dir.path, 'nest'));

    const [commit] = await walkHistory({ gitdir, maxCommits: 1 });
    expect(commit!.oid).toBe(evil);
    // Rejected with its reason (it used to throw out of the whole mining run).
    expect(await toCandidate(gitdir, commit!)).toEqual({ reject: 'unsafe_path' });
    expect(await readdir(join(dir.path, 'nest'))).toEqual(before);
    expect(fs.existsSync(join(dir.path, 'pwned'))).toBe(false);

    const [, big] = await makeGitRepo(repo, [
      { message: 'reset', files: { 'calc.py': 'def add(a, b):\n    return a - b\n' } },
      {
        message: 'fix with a blob',
        files: {
          'calc.py': 'def add(a, b):\n    return a + b\n',
          'tests/test_calc.py': 'def test_add():\n    pass\n',
          'data.bin': `\0${'\u00ff'.repeat(12 * 1024 * 1024)}`, // 24 MiB in UTF-8: under maxBlobBytes, so read and judged
        },
      },
    ]);
    const [bigCommit] = await walkHistory({ gitdir, maxCommits: 1 });
    expect(bigCommit!.oid).toBe(big);
    expect(await toCandidate(gitdir, bigCommit!)).toEqual({ reject: 'binary_change' });
  });
});
