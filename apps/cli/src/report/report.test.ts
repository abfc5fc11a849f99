import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { instanceLogDir, LOG_FILES } from '@repoforge/harness';
import { formatInstanceReportFile } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { loadReportData } from './data.js';
import { renderReport } from './html.js';

async function instanceFiles(reportDir: string, id: string, environment?: unknown) {
  const dir = instanceLogDir(reportDir, 'r1', 'gold', id);
  await mkdir(dir, { recursive: true });
  const report = {
    patch_is_None: false,
    patch_exists: true,
    patch_successfully_applied: true,
    resolved: true,
  };
  await writeFile(join(dir, LOG_FILES.report), formatInstanceReportFile(id, report));
  if (environment) await writeFile(join(dir, LOG_FILES.environment), JSON.stringify(environment));
}

describe('the HTML report', () => {
  it("shows each planned environment's ladder record (rungs and outcomes) and runtime, and a dash where none was kept", async () => {
    await using dir = await tempDir();
    await instanceFiles(dir.path, 'expressjs__express-3495', {
      source: 'planned',
      detail: 'planned from the repo',
      attempts: [
        {
          rung: 'as planned',
          outcome: 'unknown_flag',
          detail: "error: unknown option '--no-color'",
          ms: 900,
        },
        { rung: 'drop --no-color', outcome: 'ok', detail: '12 tests ran', ms: 800 },
      ],
      runtime: { versions: { node: '18.19.0', npm: '10.2.3' }, image: 'repoforge/env:abc' },
    });
    await instanceFiles(dir.path, 'acme__lib-1');
    const data = await loadReportData(dir.path, 'r1');
    expect(data.rows.map((r) => r.environment?.attempts?.length)).toEqual([undefined, 2]);
    const html = renderReport(data, dir.path);
    expect(html).toContain('<th>Environment</th>');
    const express = html.split('\n').find((l) => l.includes('expressjs__express-3495'))!;
    expect(express).toContain('as planned: <b>unknown_flag</b>');
    expect(express).toContain('drop --no-color: <b>ok</b>');
    expect(express).toContain('title="error: unknown option &#39;--no-color&#39;"');
    expect(express).toContain(
      '<div class="runtime" title="repoforge/env:abc">node 18.19.0, npm 10.2.3</div>',
    );
    const acme = html.split('\n').find((l) => l.includes('<td>acme__lib-1</td>'))!;
    expect(acme).toContain('<td class="env">–</td>');
  });

  it("says which images its storage figures measured (the run's own, from storage report --run-id)", async () => {
    await using dir = await tempDir();
    await instanceFiles(dir.path, 'django__django-11099');
    const storage = {
      instances: 24,
      images: 2,
      amortizedMBPerInstance: 13.71,
      source: 'the images run st used',
    };
    const html = renderReport(await loadReportData(dir.path, 'r1', { storage }), dir.path);
    const section = html.slice(html.indexOf('<h2>Storage</h2>'));
    expect(section).toContain('<dt>Measured</dt><dd>the images run st used</dd>');
    expect(section).toContain('<dt>Amortized per instance</dt><dd>13.71 MB</dd>');
    const planned = renderReport(
      await loadReportData(dir.path, 'r1', { storage: { instances: 1 } }),
      dir.path,
    );
    expect(planned).not.toContain('<dt>Measured</dt>');
  });
});
