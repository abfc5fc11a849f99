import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatInstanceReportFile } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { instanceLogDir, LOG_FILES, readRunResults, runImages } from './index.js';

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

describe('runImages', () => {
  it('pairs each instance with the image its run recorded, names the ones without, and honours the signal', async () => {
    await using dir = await tempDir();
    const report = {
      patch_is_None: false,
      patch_exists: true,
      patch_successfully_applied: true,
      resolved: true,
    };
    for (const [id, image] of [
      ['a__b-1', 'repoforge/env:one'],
      ['a__b-2', undefined],
    ] as const) {
      const d = instanceLogDir(dir.path, 'r1', 'gold', id);
      await mkdir(d, { recursive: true });
      await writeFile(join(d, LOG_FILES.report), formatInstanceReportFile(id, report));
      const runtime = image ? { versions: {}, image } : undefined;
      await writeFile(
        join(d, LOG_FILES.environment),
        JSON.stringify({ source: 'recipe', detail: 'debian', runtime }),
      );
    }
    const dataset = ['a__b-1', 'a__b-2'].map(
      (id) => ({ instance_id: id, repo: 'a/b', base_commit: 'c0' }) as never,
    );
    const repos = { resolve: async () => ({ gitdir: '/repos/a/b', cache: {} }) } as never;
    const { measured, missing } = await runImages(dir.path, 'r1', { dataset, repos });
    expect(measured).toEqual([
      { id: 'a__b-1', image: 'repoforge/env:one', gitdir: '/repos/a/b', baseCommit: 'c0', cache: {} },
    ]);
    expect(missing).toEqual(['a__b-2']);
    const signal = AbortSignal.abort();
    await expect(runImages(dir.path, 'r1', { dataset, repos, signal })).rejects.toThrow();
  });
});
