import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gitIn, makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { changedFiles, gitFileDiff, isBinary, readBlobBytes } from './index.js';

const run = promisify(execFile);
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('diffs from trees (isomorphic-git gives trees, not diff text)', () => {
  it('produces git-format diffs that git apply accepts at the parent, for every kind of change', async () => {
    await using dir = await tempDir();
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const [a, b] = await makeGitRepo(dir.path, [
      {
        message: 'a',
        files: {
          'mod.py': `${long}\n`,
          'gone.txt': 'bye\n',
          'nonl.txt': 'no newline',
          'same.txt': 'same\n',
          'dir/x.js': 'x\n',
          'empty.txt': '',
        },
      },
      {
        message: 'b',
        files: {
          'mod.py': `${long.replace('line 3', 'line three').replace('line 30', 'LINE 30')}\nappended\n`,
          'gone.txt': null,
          'new/file.py': 'print(1)\n',
          'nonl.txt': 'no newline, changed',
          'dir/x.js': 'x\ny\n',
          'empty.txt': 'now has text\n',
        },
      },
    ]);
    const changes = await changedFiles(join(dir.path, '.git'), a!, b!);
    expect(changes.map((c) => [c.path, c.kind])).toEqual([
      ['dir/x.js', 'modify'],
      ['empty.txt', 'modify'],
      ['gone.txt', 'delete'],
      ['mod.py', 'modify'],
      ['new/file.py', 'add'],
      ['nonl.txt', 'modify'],
    ]);
    let patch = '';
    for (const c of changes) {
      const read = async (oid?: string) =>
        oid ? text(await readBlobBytes(join(dir.path, '.git'), oid)) : null;
      patch += gitFileDiff({ ...c, oldText: await read(c.oldOid), newText: await read(c.newOid) });
    }
    await gitIn(dir.path, ['checkout', '-q', a!]);
    await writeFile(join(dir.path, '..', 'p.diff'), patch);
    await run('git', ['apply', '--check', '-v', join(dir.path, '..', 'p.diff')], { cwd: dir.path });
    await run('git', ['apply', join(dir.path, '..', 'p.diff')], { cwd: dir.path });
    await gitIn(dir.path, ['add', '-A']);
    expect((await gitIn(dir.path, ['diff', '--cached', '--stat', b!])).trim()).toBe('');
    expect(await readFile(join(dir.path, 'nonl.txt'), 'utf8')).toBe('no newline, changed');
  });

  it('detects binary content', () => {
    expect(isBinary(new Uint8Array([1, 2, 0, 3]))).toBe(true);
    expect(isBinary(new TextEncoder().encode('text'))).toBe(false);
  });
});
