import { readdirSync, readFileSync } from 'node:fs';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  formatInstanceReportFile,
  formatRunSummary,
  goldPredictions,
  InstanceReportFile,
  isEmptyPatch,
  Prediction,
  parseRecords,
  type RunSummary,
  streamJsonlRecords,
  Trajectory,
} from './index.js';

const logsRoot = sharedFixturesDir() && sharedFixture('swebench-logs', 'vexp-swebench-1774184993333');

describe.skipIf(!logsRoot && skipLoudly('shared fixtures absent: report.json tests skipped'))(
  'report.json',
  () => {
    const ids = logsRoot ? readdirSync(logsRoot) : [];
    it('every official report.json parses and re-serializes byte-identically', () => {
      expect(ids.length).toBe(98);
      for (const id of ids) {
        const text = readFileSync(`${logsRoot}/${id}/report.json`, 'utf8');
        const file = InstanceReportFile.parse(JSON.parse(text));
        expect(Object.keys(file)).toEqual([id]);
        expect(formatInstanceReportFile(id, file[id]!)).toBe(text);
      }
    });
  },
);

describe('predictions', () => {
  const preds = [
    { instance_id: 'a', model_name_or_path: 'm', model_patch: 'diff' },
    { instance_id: 'b', model_name_or_path: 'm', model_patch: null },
  ];
  it('reads a JSON list, a JSON object keyed by id, and JSONL alike', () => {
    const asList = parseRecords(JSON.stringify(preds), Prediction).records;
    const keyed = Object.fromEntries(preds.map(({ instance_id, ...p }) => [instance_id, p]));
    const asKeyed = parseRecords(JSON.stringify(keyed, null, 2), Prediction, {
      keyedBy: 'instance_id',
    }).records;
    const asJsonl = parseRecords(preds.map((p) => JSON.stringify(p)).join('\n'), Prediction).records;
    expect(asList).toEqual(preds);
    expect(asKeyed).toEqual(preds);
    expect(asJsonl).toEqual(preds);
  });

  it('counts null and empty patches as empty, exactly as SWE-bench does', () => {
    expect(isEmptyPatch({ model_patch: null })).toBe(true);
    expect(isEmptyPatch({ model_patch: '' })).toBe(true);
    expect(isEmptyPatch({ model_patch: ' \n' })).toBe(false);
    expect(isEmptyPatch({ model_patch: 'diff --git' })).toBe(false);
    expect(goldPredictions([{ instance_id: 'x', patch: 'p' }])).toEqual([
      { instance_id: 'x', model_name_or_path: 'gold', model_patch: 'p' },
    ]);
  });

  it('streams JSONL from chunks split anywhere, naming lines of bad rows', async () => {
    const text = `${JSON.stringify(preds[0])}\n${JSON.stringify({ instance_id: 'c' })}\n${JSON.stringify(preds[1])}`;
    async function* chunks() {
      const bytes = new TextEncoder().encode(text);
      for (let i = 0; i < bytes.length; i += 7) yield bytes.slice(i, i + 7);
    }
    const issues: import('./index.js').RecordIssue[] = [];
    const got = [];
    for await (const r of streamJsonlRecords(chunks(), Prediction, {
      source: 'p.jsonl',
      onError: 'collect',
      issues,
    })) {
      got.push(r);
    }
    expect(got.map((g) => [g.record.instance_id, g.location.line])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'model_name_or_path'],
      [2, 'model_patch'],
    ]);
  });
});

describe('summary and trajectory', () => {
  it('formats the run summary with SWE-bench keys in order and a trailing newline', () => {
    const s: RunSummary = {
      total_instances: 2,
      submitted_instances: 2,
      completed_instances: 1,
      resolved_instances: 1,
      unresolved_instances: 0,
      empty_patch_instances: 1,
      error_instances: 0,
      completed_ids: ['a'],
      incomplete_ids: [],
      empty_patch_ids: ['b'],
      submitted_ids: ['a', 'b'],
      resolved_ids: ['a'],
      unresolved_ids: [],
      error_ids: [],
      schema_version: 2,
    };
    const text = formatRunSummary(s);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(s));
    expect(text).toContain('"incomplete_ids": [],\n');
    expect(() => formatRunSummary({ ...s, schema_version: 1 as 2 })).toThrow();
  });

  it('validates trajectories with tool calls', () => {
    const t = Trajectory.parse({
      instance_id: 'a',
      messages: [
        { role: 'user', content: 'fix it' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'finish', arguments: '{}' } }],
        },
        { role: 'tool', content: 'ok', tool_call_id: 'c1' },
      ],
      reward: 1,
    });
    expect(t.sample_index).toBe(0);
    expect(t.metadata).toEqual({});
    expect(
      Trajectory.safeParse({ instance_id: 'a', messages: [{ role: 'robot', content: '' }] }).success,
    ).toBe(false);
  });
});
