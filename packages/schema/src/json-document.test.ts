import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecordError } from './errors.js';
import { parseJsonDocument } from './json-document.js';
import { decodeUtf8File, parseRecords } from './records.js';

const Spec = z.strictObject({ a: z.object({ b: z.array(z.number()) }), c: z.string().optional() });

function errorOf(fn: () => unknown): RecordError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RecordError) return error;
    throw error;
  }
  throw new Error('expected a RecordError');
}

describe('parseJsonDocument', () => {
  it('names the line of a nested bad field, of an unknown key and of a truncation', () => {
    const text = '{\n  "a": {\n    "b": [1,\n      "two"]\n  },\n  "cc": 1\n}\n';
    const bad = errorOf(() => parseJsonDocument(text, Spec, { source: 'spec.json' }));
    expect(bad.issues.map((i) => [i.line, i.path])).toEqual([
      [4, 'a.b[1]'],
      [6, 'cc'],
    ]);
    expect(bad.message).toMatch(/^spec\.json:4: a\.b\[1\]: .* \(\+1 more: cc\)$/);
    const cut = errorOf(() => parseJsonDocument(text.slice(0, 30), Spec, { source: 'spec.json' }));
    expect(cut.message).toMatch(/^spec\.json:3: invalid JSON: Unexpected end/);
    expect(cut.message).not.toContain('\n');
  });

  it('returns the parsed value of a valid document', () => {
    expect(parseJsonDocument('\uFEFF{"a":{"b":[1]}}', Spec)).toEqual({ a: { b: [1] } });
  });
});

describe('UTF-8', () => {
  it('rejects invalid UTF-8 naming the line instead of replacing bytes', () => {
    const bytes = new TextEncoder().encode('{"x": 1}\n{"x": "é"}\n{"x": "?"}\n');
    bytes[bytes.length - 4] = 0xff;
    const bad = errorOf(() => decodeUtf8File(bytes, 'rows.jsonl'));
    expect(bad.message).toBe('rows.jsonl:3: invalid UTF-8 (the file must be UTF-8 text)');
    expect(decodeUtf8File(bytes.subarray(0, 22), 'rows.jsonl')).toContain('é');
  });

  it('keeps one line for a JSON error whose message quotes several lines', () => {
    const bad = errorOf(() => parseRecords('[\n{"x":\n}\n]', z.object({ x: z.number() }), { source: 'f' }));
    expect(bad.message.split('\n')).toHaveLength(1);
    expect(bad.message).toMatch(/^f:\d+: invalid JSON/);
  });
});

describe('names that become folders', () => {
  it('refuses instance ids and model names that would write outside the report dir', async () => {
    const { Instance, Prediction } = await import('./index.js');
    const row = {
      repo: 'o/r',
      base_commit: 'a',
      patch: '',
      test_patch: '',
      FAIL_TO_PASS: [],
      PASS_TO_PASS: [],
    };
    for (const id of ['../../etc/x', '..', 'a/b', 'a\\b', 'x\0'])
      expect(Instance.safeParse({ ...row, instance_id: id }).success, id).toBe(false);
    expect(Instance.safeParse({ ...row, instance_id: 'django__django-11099' }).success).toBe(true);
    const p = (m: string) =>
      Prediction.safeParse({ instance_id: 'i', model_name_or_path: m, model_patch: '' });
    expect(p('..').success).toBe(false);
    expect(p('org/model-7b').success).toBe(true);
    expect(p('x'.repeat(300)).success).toBe(false);
  });
});
