import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

describe('a damaged resume state', () => {
  it('is a one-line error naming the file and the field, before anything runs', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    const run = () =>
      mineRepository({ repo: dir.path, repoName: 'a/b', out, envBuilder: undefined as never });
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
