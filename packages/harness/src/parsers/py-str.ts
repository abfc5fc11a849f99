/**
 * Python string semantics the SWE-bench parsers rely on, so our parsers split and strip exactly as theirs:
 * Python's whitespace set differs from JavaScript's (\x1c-\x1f and \x85 are spaces in Python, \ufeff is not).
 */
export const PY_WS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_RUN = new RegExp(`[${PY_WS}]+`);
const LEAD = new RegExp(`^[${PY_WS}]+`);
const TRAIL = new RegExp(`[${PY_WS}]+$`);

/** `s.split()` with no argument. */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(WS_RUN);
}

/** `s.strip()`. */
export function pyStrip(s: string): string {
  return s.replace(LEAD, '').replace(TRAIL, '');
}

/** `s.lstrip()`. */
export function pyLstrip(s: string): string {
  return s.replace(LEAD, '');
}

/** `s.split(sep)[i]` semantics are plain JS; `s.rsplit(sep, 1)[0]`: */
export function pyRsplitFirst(s: string, sep: string): string {
  const i = s.lastIndexOf(sep);
  return i < 0 ? s : s.slice(0, i);
}
