import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgressEvent } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { annotationAgreement, labelDataset, labelOffline, type SpiceLabels } from './index.js';

const inst = (id: string) => ({
  instance_id: id,
  repo: 'o/r',
  patch: 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x\n+y\n',
  test_patch: '',
  problem_statement: 'Fix x',
  FAIL_TO_PASS: ['t'],
  PASS_TO_PASS: [],
});

describe('labelDataset', () => {
  it('resumes: rows already written are kept and not labelled again; each new row is on disk at once', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'labels.jsonl');
    const seen: string[] = [];
    const label = async (i: ReturnType<typeof inst>) => {
      seen.push(i.instance_id);
      return labelOffline(i);
    };
    const ac = new AbortController();
    await expect(
      labelDataset([inst('a'), inst('b'), inst('c')], {
        out,
        label,
        signal: ac.signal,
        onProgress: (e) => e.type === 'done' && ac.abort(new Error('stopped after one')),
      }),
    ).rejects.toThrow('stopped after one');
    expect(
      (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).instance_id),
    ).toEqual(['a']);
    const events: ProgressEvent<SpiceLabels>[] = [];
    const again = await labelDataset([inst('a'), inst('b'), inst('c')], {
      out,
      label,
      onProgress: (e) => events.push(e),
    });
    expect(events[0]).toEqual({ type: 'start', total: 2, skipped: 1 });
    expect(events.slice(1).map((e) => e.type === 'done' && [e.id, e.done, e.total])).toEqual([
      ['b', 1, 2],
      ['c', 2, 2],
    ]);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(again.rows.map((r) => r.instance_id)).toEqual(['a', 'b', 'c']);
  });

  it('a damaged output file is an input error naming its line, and is left as it was', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'labels.jsonl');
    await writeFile(out, '{"instance_id": "a"}\n');
    await expect(labelDataset([inst('a')], { out, label: (i) => labelOffline(i) })).rejects.toThrow(
      /labels\.jsonl:1: /,
    );
    expect(await readFile(out, 'utf8')).toBe('{"instance_id": "a"}\n');
  });
});

describe('annotationAgreement', () => {
  it('compares each label with its annotation column, skipping instances the CSV does not score', () => {
    const l = (id: string, d: number) =>
      ({ instance_id: id, issue_clarity: 1, test_validity: 0, difficulty: d }) as SpiceLabels;
    const r = annotationAgreement(
      [l('a', 0), l('b', 2), l('c', 1)],
      [
        { instance_id: 'a', underspecified: '1.0', false_negative: '0', difficulty: '<15 min fix' },
        { instance_id: 'b', underspecified: '', false_negative: '1', difficulty: '15 min - 1 hour' },
      ],
    );
    expect(r.difficulty).toMatchObject({ n: 2, exact: 0.5, withinOne: 1 });
    expect(r.difficulty.confusion[1]![2]).toBe(1); // true 15 min - 1 hour, predicted 1-4 hours
    expect(r.issue_clarity).toMatchObject({ n: 1, exact: 1 });
    expect(r.test_validity).toMatchObject({ n: 2, exact: 0.5 });
  });
});
