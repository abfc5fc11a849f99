import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedFixture, skipWithoutFixturesOrDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

const skip = await skipWithoutFixturesOrDocker('execution evidence on a real SWE-bench instance is');

describe.skipIf(skip)(
  'repoforge spice alternatives + eval run + spice evidence (real django, Docker)',
  () => {
    // django-10554's fix adds a method (add_select_col) and re-indents an older error message (left alone: older
    // tests check it). Its FAIL_TO_PASS tests check query results, not the name.
    it('runs the name alternative of django-10554 beside its reference fix and labels it from the F2P tests', {
      timeout: 1_800_000,
    }, async () => {
      await using dir = await tempDir();
      const row = readFileSync(sharedFixture('instances', 'swebench_verified_real_subset.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes('"django__django-10554"'))!;
      await writeFile(join(dir.path, 'data.jsonl'), `${row}\n`);
      const cli = async (args: string[]) => {
        const t = bufferedIO();
        t.io.cwd = dir.path;
        const code = await runCli(args, t.io);
        return { code, out: t.stdout(), err: t.stderr() };
      };
      const alts = await cli(['spice', 'alternatives', '--dataset', 'data.jsonl', '--out-dir', 'alts']);
      expect(alts.out).toMatch(/^1 of 1 instances have alternative fixes \(2 runs/);
      const run = await cli([
        'eval',
        'run',
        '--dataset',
        'alts/dataset.jsonl',
        '--predictions',
        'alts/predictions.jsonl',
        '--run-id',
        'alts',
        '--repo-cache',
        sharedFixture('repos'),
        '--max-workers',
        '2',
      ]);
      expect(run.out).toMatch(/Instances with errors: 0\n/);
      const ev = await cli([
        'spice',
        'evidence',
        '--alternatives',
        'alts',
        '--run-id',
        'alts',
        '--out',
        'ev.jsonl',
      ]);
      expect(ev.code).toBe(0);
      const [evidence] = readFileSync(join(dir.path, 'ev.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(evidence.instance_id).toBe('django__django-10554');
      // The control resolved (else the outcome is an error with no label), and the label follows the F2P failures.
      const rejected = evidence.alternatives.some((a: { f2p_failed: number }) => a.f2p_failed > 0);
      expect(evidence.outcome).toBe(rejected ? 'rejects_alternatives' : 'accepts_alternatives');
      expect(evidence.test_validity).toBe(rejected ? 2 : 0);
      expect(evidence.alternatives.map((a: { kind: string }) => a.kind)).toEqual(['name']);
      expect(evidence.seconds).toBeGreaterThan(0);
    });
  },
);
