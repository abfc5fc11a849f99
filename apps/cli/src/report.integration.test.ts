import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { skipLoudly, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { renderMiningReport } from './report/mining-html.js';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error('chromium is required in CI (tools/setup-chromium.sh)');
if (!hasChromium)
  skipLoudly(
    'Debian chromium missing: the HTML report browser test is SKIPPED (bash tools/setup-chromium.sh)',
  );

async function fakeRun(root: string) {
  const base = join(root, 'logs', 'run_evaluation', 'r1', 'gold');
  const rows = [
    ['a__b-1', true, 3200],
    ['a__b-2', false, 900],
    ['c__d-1', true, 5100],
  ] as const;
  for (const [id, resolved, ms] of rows) {
    await mkdir(join(base, id), { recursive: true });
    const lists = { success: resolved ? ['t1'] : [], failure: resolved ? [] : ['t1'] };
    const none = { success: [], failure: [] };
    await writeFile(
      join(base, id, 'report.json'),
      JSON.stringify({
        [id]: {
          patch_is_None: false,
          patch_exists: true,
          patch_successfully_applied: true,
          resolved,
          tests_status: {
            FAIL_TO_PASS: lists,
            PASS_TO_PASS: { success: ['t2'], failure: [] },
            FAIL_TO_FAIL: none,
            PASS_TO_FAIL: none,
          },
        },
      }),
    );
    await writeFile(join(base, id, 'timings.json'), JSON.stringify({ total_ms: ms }));
  }
}

describe.skipIf(!hasChromium)('repoforge report (headless Chromium)', () => {
  it('renders a self-contained page whose table sorts; keeps a screenshot', async () => {
    await using dir = await tempDir();
    await fakeRun(dir.path);
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(await runCli(['report', '--run-id', 'r1', '--out', 'r.html'], t.io)).toBe(0);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${join(dir.path, 'r.html')}`);
      expect(await page.textContent('#resolved-rate')).toBe('66.7%');
      const firstId = () => page.$eval('#instances tbody tr td', (td) => td.textContent);
      expect(await firstId()).toBe('a__b-1');
      await page.click('th:has-text("Duration")');
      expect(await firstId()).toBe('a__b-2');
      await page.click('th:has-text("Duration")');
      expect(await firstId()).toBe('c__d-1');
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true); // no network
      const shots = join(import.meta.dirname, '..', 'test-artifacts');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
      expect(existsSync(join(shots, 'report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('says which run is missing (exit 2)', async () => {
    await using dir = await tempDir();
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(await runCli(['report', '--run-id', 'nope'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/no run nope/);
  });
});

describe.skipIf(!hasChromium)('the mining report (headless Chromium)', () => {
  it('shows the funnel and each rejection with a link to its evidence; keeps a screenshot', async () => {
    await using dir = await tempDir();
    const evidence = {
      why: "with the fix applied, the test command ran no test: ModuleNotFoundError: No module named 'flask'",
      testCmd: 'pytest -rA tests/test_basic.py',
      runs: [
        {
          side: 'before' as const,
          exitCode: 4,
          counts: {},
          tail: "E   ModuleNotFoundError: No module named 'flask'",
        },
        {
          side: 'after' as const,
          exitCode: 4,
          counts: {},
          tail: "E   ModuleNotFoundError: No module named 'flask'",
        },
      ],
    };
    const html = renderMiningReport(
      {
        funnel: {
          commitsScanned: 40,
          candidates: 6,
          envBuilt: 5,
          beforeAfterRan: 4,
          validated: 2,
          resumed: 0,
          rejected: { no_test_change: 30, env_broken: 1, no_f2p: 2 },
          envRungs: { 'as planned': 5 },
          envFailures: {},
          withNetworkTests: 0,
          statements: { ok: 2 },
          yield: 0.333,
          stageMs: { scan: 900, draft: 1200, env: 30_000, runs: 60_000, gold: 9_000 },
        },
        instances: [],
        rejections: [
          { commit: 'a'.repeat(40), verdict: 'env_broken', evidence },
          {
            commit: 'b'.repeat(40),
            verdict: 'no_f2p',
            evidence: {
              ...evidence,
              why: 'no test failed before the fix and passed after it (before: 12 PASSED; after: 12 PASSED)',
            },
          },
        ],
        out: 'x.jsonl',
      },
      'pallets/flask',
      '2026-12-05T00:00:00Z',
    );
    expect(html).toContain('<figcaption>Seconds per stage (summed over candidates)</figcaption>');
    expect(html).toContain('<tr><td>runs</td><td class="n">60</td></tr>');
    await writeFile(join(dir.path, 'mining.html'), html);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${join(dir.path, 'mining.html')}`);
      expect(await page.textContent('#yield')).toBe('33%');
      expect(await page.$$eval('#candidates tbody tr', (rows) => rows.length)).toBe(2);
      expect(await page.isVisible(`#ev-${'a'.repeat(40)} pre`)).toBe(false);
      await page.click(`#candidates a[href="#ev-${'a'.repeat(40)}"]`);
      await page.click(`#ev-${'a'.repeat(40)} summary`);
      expect(await page.isVisible(`#ev-${'a'.repeat(40)} pre`)).toBe(true);
      expect(await page.textContent(`#ev-${'a'.repeat(40)}`)).toContain("No module named 'flask'");
      const shots = join(import.meta.dirname, '..', 'test-artifacts');
      await mkdir(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'mining-report.png'), fullPage: true });
      expect(existsSync(join(shots, 'mining-report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
