import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireRunLock } from '@repoforge/schema/node';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

describe('a damaged resume state', () => {
  it('is a one-line error naming the file and the field, before anything runs', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    await makeGitRepo(join(dir.path, 'repo'), [{ message: 'init', files: { 'a.txt': 'a\n' } }]);
    const run = () =>
      mineRepository({
        repo: join(dir.path, 'repo'),
        repoName: 'a/b',
        out,
        envBuilder: undefined as never,
        reapLeftovers: async () => {},
      });
    await writeFile(`${out}.state.json`, '{"done": {"abc": {"verdict": 7}}}');
    await expect(run()).rejects.toMatchObject({
      code: 'RECORD_INVALID',
      kind: 'input',
      message: expect.stringMatching(/out\.jsonl\.state\.json:1: done\.abc\.verdict: /),
    });
    await writeFile(`${out}.state.json`, '{"done": {"abc"');
    await expect(run()).rejects.toMatchObject({
      message: expect.stringMatching(/state\.json:1: invalid JSON/),
    });
  });
});

describe('two miners on one output', () => {
  it('the second refuses with RUN_LOCKED and leaves the lock of the first alone', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    const held = await acquireRunLock(`${out}.lock`, out);
    await expect(
      mineRepository({ repo: dir.path, repoName: 'a/b', out, envBuilder: undefined as never }),
    ).rejects.toMatchObject({ code: 'RUN_LOCKED', kind: 'input', message: expect.stringContaining(out) });
    await expect(acquireRunLock(`${out}.lock`, out)).rejects.toMatchObject({ code: 'RUN_LOCKED' });
    await held.release();
  });
});

describe('a --repo that is not a git repository', () => {
  it('is bad input naming the path', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    const run = mineRepository({
      repo: join(dir.path, 'nope'),
      repoName: 'a/b',
      out,
      reapLeftovers: async () => {},
    });
    await expect(run).rejects.toMatchObject({
      code: 'REPO_NOT_FOUND',
      kind: 'input',
      message: expect.stringContaining('nope: not a git repository'),
    });
  });
});
