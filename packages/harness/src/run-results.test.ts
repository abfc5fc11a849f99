import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatInstanceReportFile } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { instanceLogDir, LOG_FILES, readRunResults } from './index.js';

describe('readRunResults', () => {
  it("reads a run's results: repos from the dataset, a damaged report.json is an error row, a missing run says so", async () => {
    await using dir = await tempDir();
    const write = async (id: string, files: Record<string, string>) => {
      const d = instanceLogDir(dir.path, 'r1', 'org/model', id);
      await mkdir(d, { recursive: true });
      for (const [f, text] of Object.entries(files)) await writeFile(join(d, f), text);
    };
    const report = {
      patch_is_None: false,
      patch_exists: true,
      patch_successfully_applied: true,
      resolved: false,
    };
    await write('pallets__flask-1', {
      [LOG_FILES.report]: formatInstanceReportFile('pallets__flask-1', report),
      [LOG_FILES.timings]: '{"total_ms": 1500}',
    });
    await write('mine-7', { [LOG_FILES.report]: '{"mine-7": {"resolved": "yes"' });
    const rows = await readRunResults(dir.path, 'r1', {
      dataset: [{ instance_id: 'mine-7', repo: 'me/mine' } as never],
    });
    expect(rows.map((r) => [r.instance_id, r.repo, r.model, r.status, r.durationMs])).toEqual([
      ['mine-7', 'me/mine', 'org__model', 'error', undefined],
      ['pallets__flask-1', 'pallets/flask', 'org__model', 'unresolved', 1500],
    ]);
    await expect(readRunResults(dir.path, 'nope')).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
      kind: 'input',
    });
  });
});
