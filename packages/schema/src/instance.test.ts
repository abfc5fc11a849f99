import { readdirSync, readFileSync } from 'node:fs';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  formatJsonl,
  Instance,
  instanceFromMultiSweBench,
  MultiSweBenchRow,
  parseRecords,
  RecordError,
  serializeInstance,
} from './index.js';

const fixtures = sharedFixturesDir();
const instanceFiles = fixtures
  ? readdirSync(sharedFixture('instances')).filter((f) => f.endsWith('.jsonl'))
  : [];
const sweFiles = instanceFiles.filter((f) => !f.startsWith('multi_swe_bench'));
const msweFiles = instanceFiles.filter((f) => f.startsWith('multi_swe_bench'));

describe.skipIf(
  !fixtures && skipLoudly('shared fixtures absent (../shared/fixtures): dataset tests skipped'),
)('real datasets', () => {
  it.each(sweFiles)('every row of %s parses as an Instance', (file) => {
    const path = sharedFixture('instances', file);
    const { records, issues } = parseRecords(readFileSync(path, 'utf8'), Instance, { source: path });
    expect(issues).toEqual([]);
    expect(records.length).toBeGreaterThan(0);
    // SWE-bench writes the lists as JSON strings: parsed into arrays of non-empty test names, ids unique.
    for (const r of records) {
      expect(r.FAIL_TO_PASS.length).toBeGreaterThan(0);
      expect([...r.FAIL_TO_PASS, ...r.PASS_TO_PASS].every((t) => typeof t === 'string' && t.length > 0)).toBe(
        true,
      );
    }
    expect(new Set(records.map((r) => r.instance_id)).size).toBe(records.length);
  });

  it.each(msweFiles)('every row of %s adapts to an Instance', (file) => {
    const path = sharedFixture('instances', file);
    const { records } = parseRecords(readFileSync(path, 'utf8'), MultiSweBenchRow, { source: path });
    expect(records.length).toBeGreaterThan(0);
    for (const row of records) {
      const inst = Instance.parse(instanceFromMultiSweBench(row));
      expect(inst.repo).toBe(`${row.org}/${row.repo}`);
      expect(inst.base_commit).toBe(row.base.sha);
      expect(inst.patch).toBe(row.fix_patch);
      for (const t of Object.keys(row.f2p_tests)) expect(inst.FAIL_TO_PASS).toContain(t);
      expect(inst.PASS_TO_PASS).toEqual(Object.keys(row.p2p_tests));
      // Unknown fields survive as extras.
      expect(inst.run_result).toEqual(row.run_result);
    }
  });

  it('writes Verified rows back byte-identical to SWE-bench (test lists as json.dumps strings)', () => {
    const path = sharedFixture('instances', 'swebench_verified_test.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const { records } = parseRecords(lines.join('\n'), Instance, { source: path });
    records.forEach((inst, i) => {
      const raw = JSON.parse(lines[i]!);
      expect(serializeInstance(inst)).toEqual(raw);
    });
  });

  it('round-trips write -> read losslessly, including the Multilingual array form', () => {
    for (const file of sweFiles) {
      const { records } = parseRecords(readFileSync(sharedFixture('instances', file), 'utf8'), Instance);
      const text = formatJsonl(records.map(serializeInstance));
      const back = parseRecords(text, Instance).records;
      expect(back).toEqual(records);
    }
  });
});

const row = (over: Record<string, unknown> = {}) => ({
  repo: 'o/r',
  instance_id: 'o__r-1',
  base_commit: 'abc',
  patch: '',
  test_patch: '',
  FAIL_TO_PASS: "['t1', 't2']",
  PASS_TO_PASS: '[]',
  ...over,
});

describe('Instance', () => {
  it('keeps unknown fields and fills defaults', () => {
    const inst = Instance.parse(row({ extra: { nested: 1 } }));
    expect(inst.extra).toEqual({ nested: 1 });
    expect(inst.FAIL_TO_PASS).toEqual(['t1', 't2']);
    expect(inst.hints_text).toBe('');
  });

  it('names the file, line and field of a broken row', () => {
    const text = [row(), row({ instance_id: 'o__r-2' }), row({ instance_id: 'o__r-3', FAIL_TO_PASS: 7 })]
      .map((r) => JSON.stringify(r))
      .join('\n');
    try {
      parseRecords(text, Instance, { source: 'data.jsonl' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RecordError);
      const e = error as RecordError;
      expect(e.code).toBe('RECORD_INVALID');
      expect(e.issues[0]).toMatchObject({ source: 'data.jsonl', line: 3, path: 'FAIL_TO_PASS', index: 2 });
      expect(e.message).toMatch(/^data\.jsonl:3: FAIL_TO_PASS: /);
    }
  });

  it('collects errors and goes on when asked, including JSON syntax errors', () => {
    const text = `${JSON.stringify(row())}\n{broken\n\n${JSON.stringify(row({ repo: 'no-slash' }))}\n${JSON.stringify(row())}\n`;
    const r = parseRecords(text, Instance, { source: 'x.jsonl', onError: 'collect' });
    expect(r.records).toHaveLength(2);
    expect(r.locations.map((l) => l.line)).toEqual([1, 5]);
    expect(r.issues.map((i) => [i.line, i.path])).toEqual([
      [2, ''],
      [4, 'repo'],
    ]);
    expect(r.issues[0]!.message).toMatch(/invalid JSON/);
  });

  it('locates bad elements of a JSON array by line', () => {
    const text = `[\n  ${JSON.stringify(row())},\n  ${JSON.stringify(row({ base_commit: 5 }))}\n]`;
    const r = parseRecords(text, Instance, { source: 'a.json', onError: 'collect' });
    expect(r.issues).toMatchObject([{ line: 3, index: 1, path: 'base_commit' }]);
  });
});
