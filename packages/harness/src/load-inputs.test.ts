import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './index.js';

describe('loadDataset', () => {
  it('detects Multi-SWE-bench rows whose patch pushes the test fields far into the line', async () => {
    await using dir = await tempDir();
    const row = {
      org: 'expressjs',
      repo: 'express',
      number: 1,
      base: { sha: 'a'.repeat(40) },
      fix_patch: `diff --git a/x b/x\n${'+x\n'.repeat(50_000)}`,
      test_patch: '',
      f2p_tests: { 'should work': { run: 'NONE', test: 'FAIL', fix: 'PASS' } },
      p2p_tests: {},
    };
    const path = join(dir.path, 'mswe.jsonl');
    await writeFile(path, `${JSON.stringify(row)}\n`);
    const [inst] = await loadDataset(path);
    expect(inst).toMatchObject({
      repo: 'expressjs/express',
      instance_id: 'expressjs__express-1',
      FAIL_TO_PASS: ['should work'],
      origin: 'multi-swe-bench',
    });
  });
});
