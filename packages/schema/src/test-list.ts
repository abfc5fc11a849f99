import { z } from 'zod';
import { parsePythonStringList, pythonJsonDumps } from './python-literals.js';

/**
 * Reads a list of test names in any of the forms SWE-bench datasets use: a real array, a JSON-encoded
 * string (`'["a", "b"]'`, Verified/Lite), or a Python repr (`"['a', 'b']"`, Multilingual).
 */
export function decodeTestList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return [];
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parsePythonStringList(text);
    } catch {
      return value; // left as a string: the array schema then reports it clearly
    }
  }
}

/** A list of test names, normalized to `string[]` whatever form it arrived in. */
export const TestList = z.preprocess(
  decodeTestList,
  z.array(z.string(), { error: 'expected a list of test names (array, JSON string, or Python list repr)' }),
);

/** Writes a test list back in SWE-bench's own form: `json.dumps(list)`. */
export function encodeTestList(tests: readonly string[]): string {
  return pythonJsonDumps(tests);
}
