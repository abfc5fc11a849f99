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

describe('a parser module named by an env spec', () => {
  it('is loaded relative to the spec, used by name, and its output validated', async () => {
    const { gradeLog, loadEnvSpecs } = await import('./index.js');
    await using dir = await tempDir();
    await writeFile(
      join(dir.path, 'odd.mjs'),
      "export default (log) => Object.fromEntries(log.split('\\n').filter((l) => l.startsWith('GOOD ')).map((l) => [l.slice(5), 'PASSED']));\n",
    );
    await writeFile(join(dir.path, 'bad.mjs'), "export default () => ({ t: 'GREAT' });\n");
    const spec = (parser: string) => ({
      'acme/odd': { '*': { image: 'x', test_cmd: 'run', log_parser: parser } },
    });
    await writeFile(join(dir.path, 'env.json'), JSON.stringify(spec('./odd.mjs')));
    const map = await loadEnvSpecs(join(dir.path, 'env.json'));
    const name = map['acme/odd']!['*']!.log_parser!;
    expect(name).toBe(join(dir.path, 'odd.mjs'));
    const log = '>>>>> Start Test Output\nGOOD test one\nBAD test two\n>>>>> End Test Output';
    const instance = {
      instance_id: 'acme__odd-1',
      repo: 'acme/odd',
      FAIL_TO_PASS: ['test one'],
      PASS_TO_PASS: [],
    };
    expect(gradeLog({ instance, modelPatch: 'p', log, parser: name }).report.resolved).toBe(true);
    await writeFile(join(dir.path, 'env2.json'), JSON.stringify(spec('./bad.mjs')));
    const bad = (await loadEnvSpecs(join(dir.path, 'env2.json')))['acme/odd']!['*']!.log_parser!;
    expect(() => gradeLog({ instance, modelPatch: 'p', log, parser: bad })).toThrow(
      /env2\.json: acme\/odd\.\*\.log_parser: .*bad\.mjs returned something/,
    );
    await writeFile(join(dir.path, 'env3.json'), JSON.stringify(spec('./missing.mjs')));
    await expect(loadEnvSpecs(join(dir.path, 'env3.json'))).rejects.toMatchObject({
      code: 'ENV_SPEC_INVALID',
    });
  });
});
