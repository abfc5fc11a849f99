import { describe, expect, it } from 'vitest';
import { decodeTestList, encodeTestList, parsePythonStringList, pythonJsonDumps, TestList } from './index.js';

describe('test lists', () => {
  it('accepts arrays, JSON strings and Python reprs', () => {
    expect(TestList.parse(['a', 'b'])).toEqual(['a', 'b']);
    expect(TestList.parse('["a", "b"]')).toEqual(['a', 'b']);
    expect(TestList.parse("['a', 'b']")).toEqual(['a', 'b']);
    expect(TestList.parse('[]')).toEqual([]);
    expect(TestList.parse('')).toEqual([]);
  });

  it('decodes Python escapes and mixed quotes', () => {
    const repr = String.raw`['it\'s', "say \"hi\"", 'tab\there', 'back\\slash', '\x41\u00e9\N', 'a,b]']`;
    expect(parsePythonStringList(repr)).toEqual([
      "it's",
      'say "hi"',
      'tab\there',
      'back\\slash',
      'A\u00e9\\N',
      'a,b]',
    ]);
    expect(parsePythonStringList("['trailing',]")).toEqual(['trailing']);
  });

  it('rejects what is not a list of strings, naming the problem', () => {
    expect(() => parsePythonStringList("['a' 'b']")).toThrow(/expected "," or "]"/);
    expect(() => parsePythonStringList("['a'")).toThrow(SyntaxError);
    const r = TestList.safeParse('not a list');
    expect(r.success).toBe(false);
    expect(decodeTestList(42)).toBe(42);
  });

  it('encodes as Python json.dumps does (ASCII-escaped, ", " separators)', () => {
    expect(encodeTestList(['a', 'b'])).toBe('["a", "b"]');
    expect(encodeTestList([])).toBe('[]');
    expect(encodeTestList(['é', '"q"', '\u007f', '😀'])).toBe(
      '["\\u00e9", "\\"q\\"", "\\u007f", "\\ud83d\\ude00"]',
    );
    expect(pythonJsonDumps({ a: [1, true, null], b: {} }, 4)).toBe(
      '{\n    "a": [\n        1,\n        true,\n        null\n    ],\n    "b": {}\n}',
    );
  });
});
