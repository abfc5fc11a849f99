import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Instance } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { instanceLogDir, LOG_FILES, runEvaluation } from './index.js';

// A planned mocha run of a row whose dataset parser is tap: only the recorded parser reads its names.
const instance: Instance = {
  repo: 'acme/web',
  instance_id: 'acme__web-1',
  base_commit: 'a'.repeat(40),
  patch: 'diff --git a/x b/x\n',
  test_patch: 'diff --git a/t.js b/t.js\n',
  problem_statement: '',
  hints_text: '',
  created_at: '',
  version: '1',
  FAIL_TO_PASS: ['http FormData posts it'],
  PASS_TO_PASS: ['http keeps headers'],
  log_parser: 'parse_log_tap',
};
const specLog = [
  "+ : '>>>>> Start Test Output'",
  '  http',
  '    ✔ keeps headers',
  '    FormData',
  '      ✔ posts it',
  '',
  '  2 passing (5ms)',
  "+ : '>>>>> End Test Output'",
].join('\n');

async function savedRun(reportDir: string, log: string, testsSeen: object) {
  const dir = instanceLogDir(reportDir, 'r', 'gold', instance.instance_id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, LOG_FILES.testOutput), log);
  await writeFile(join(dir, LOG_FILES.testsSeen), JSON.stringify(testsSeen));
  return dir;
}

const regrade = (reportDir: string) =>
  runEvaluation({
    dataset: [instance],
    predictions: 'gold',
    runId: 'r',
    reportDir,
    envSpecs: {},
    repoSource: { resolve: () => Promise.reject(new Error('a regrade runs nothing')) },
    rewriteReports: true,
  });

describe('regrading saved logs (--rewrite-reports)', () => {
  it('grades with the parser the run recorded, not the dataset row', async () => {
    await using root = await tempDir();
    const dir = await savedRun(root.path, specLog, {
      expected: 2,
      seen: 2,
      missing: [],
      parser: 'parse_log_mocha',
    });
    const r = await regrade(root.path);
    expect(r.errors).toEqual({});
    expect(r.summary.resolved_ids).toEqual([instance.instance_id]);
    expect(
      JSON.parse(await readFile(join(dir, LOG_FILES.report), 'utf8'))[instance.instance_id].resolved,
    ).toBe(true);
  });

  it('gives no verdict, but an error and why, for a log that shows none of the expected tests', async () => {
    await using root = await tempDir();
    await savedRun(root.path, specLog, { expected: 2, seen: 0, missing: [] });
    const r = await regrade(root.path);
    expect(r.summary.unresolved_ids).toEqual([]);
    expect(r.errors[instance.instance_id]).toMatchObject({
      class: 'env_broken',
      reason: expect.stringContaining('regraded from the saved log'),
    });
  });
});
