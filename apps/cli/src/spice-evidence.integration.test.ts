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
    // tests check it); its FAIL_TO_PASS tests check query results, not the name. pylint-4551's new tests import the
    // helpers its fix adds (get_annotation, infer_node), names its statement never gives: they reject the renaming.
    it('labels django-10554 from its F2P tests and finds pylint-4551 rejecting a renamed helper', {
      timeout: 1_800_000,
    }, async () => {
      await using dir = await tempDir();
      const rowOf = (file: string, id: string) =>
        readFileSync(sharedFixture('instances', file), 'utf8')
          .split('\n')
          .find((l) => l.includes(`"${id}"`))!;
      const rows = [
        rowOf('swebench_verified_real_subset.jsonl', 'django__django-10554'),
        rowOf('swebench_verified_py7_subset.jsonl', 'pylint-dev__pylint-4551'),
      ];
      await writeFile(join(dir.path, 'data.jsonl'), `${rows.join('\n')}\n`);
      const cli = async (args: string[]) => {
        const t = bufferedIO();
        t.io.cwd = dir.path;
        const code = await runCli(args, t.io);
        return { code, out: t.stdout(), err: t.stderr() };
      };
      const alts = await cli(['spice', 'alternatives', '--dataset', 'data.jsonl', '--out-dir', 'alts']);
      expect(alts.out).toMatch(/^2 of 2 instances have alternative fixes \(4 runs/);
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
      const evidence = new Map(
        readFileSync(join(dir.path, 'ev.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .map((e) => [e.instance_id, e]),
      );
      const django = evidence.get('django__django-10554');
      // The control resolved (else the outcome is an error with no label), and the label follows the F2P failures.
      const rejected = django.alternatives.some((a: { f2p_failed: number }) => a.f2p_failed > 0);
      expect(django.outcome).toBe(rejected ? 'rejects_alternatives' : 'accepts_alternatives');
      expect(django.test_validity).toBe(rejected ? 2 : 0);
      expect(django.alternatives.map((a: { kind: string }) => a.kind)).toEqual(['name']);
      expect(django.seconds).toBeGreaterThan(0);
      const pylint = evidence.get('pylint-dev__pylint-4551');
      expect(pylint).toMatchObject({ outcome: 'rejects_alternatives', test_validity: 2 });
      expect(pylint.alternatives[0].f2p_failed).toBeGreaterThan(0);
    });
  },
);
