/**
 * Python literal helpers: SWE-bench datasets come out of Python, so lists are sometimes written as
 * Python reprs (`['a', "b's"]`) and JSON is written by `json.dumps` (ASCII-escaped, `", "` separators).
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

function readHex(text: string, at: number, digits: number): number {
  const hex = text.slice(at, at + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new SyntaxError(`bad \\x/\\u escape at offset ${at}`);
  }
  return Number.parseInt(hex, 16);
}

/** Reads one Python string literal starting at `at` (the quote); returns its value and the end offset. */
function readPythonString(text: string, at: number): { value: string; end: number } {
  let i = at;
  let raw = false;
  if (text[i] === 'r' || text[i] === 'R') {
    raw = true;
    i++;
  } else if (text[i] === 'u' || text[i] === 'U') {
    i++;
  }
  const quote = text[i];
  if (quote !== "'" && quote !== '"') throw new SyntaxError(`expected a string at offset ${at}`);
  i++;
  let out = '';
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) return { value: out, end: i + 1 };
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    if (raw) {
      out += ch + next;
      i += 2;
      continue;
    }
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (next === 'x') {
      out += String.fromCodePoint(readHex(text, i + 2, 2));
      i += 4;
    } else if (next === 'u') {
      out += String.fromCodePoint(readHex(text, i + 2, 4));
      i += 6;
    } else if (next === 'U') {
      out += String.fromCodePoint(readHex(text, i + 2, 8));
      i += 10;
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1))![0];
      out += String.fromCodePoint(Number.parseInt(oct, 8));
      i += 1 + oct.length;
    } else {
      // Python keeps unknown escapes verbatim (backslash included).
      out += ch + next;
      i += 2;
    }
  }
  throw new SyntaxError(`unterminated string starting at offset ${at}`);
}

/**
 * Parses a Python repr of a list of strings, e.g. `['a', "it's", 'tab\\there']`.
 * Throws SyntaxError on anything else.
 */
export function parsePythonStringList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipWs();
  if (text[i] !== '[') throw new SyntaxError('expected "[" at offset 0');
  i++;
  skipWs();
  if (text[i] === ']') {
    i++;
  } else {
    for (;;) {
      skipWs();
      const { value, end } = readPythonString(text, i);
      out.push(value);
      i = end;
      skipWs();
      if (text[i] === ',') {
        i++;
        skipWs();
        if (text[i] === ']') {
          i++;
          break;
        }
        continue;
      }
      if (text[i] === ']') {
        i++;
        break;
      }
      throw new SyntaxError(`expected "," or "]" at offset ${i}`);
    }
  }
  skipWs();
  if (i !== text.length) throw new SyntaxError(`unexpected text after the list at offset ${i}`);
  return out;
}

function pyString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20 || (cp > 0x7e && cp <= 0xffff)) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp > 0xffff) {
      // ensure_ascii writes astral characters as a surrogate pair.
      const v = cp - 0x10000;
      const hi = 0xd800 + (v >> 10);
      const lo = 0xdc00 + (v & 0x3ff);
      out += `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
    } else out += ch;
  }
  return `${out}"`;
}

/**
 * Serializes like Python's `json.dumps(value, indent=indent)` with its defaults (ensure_ascii, `", "` and
 * `": "` separators, `","` at line ends when indenting), so files are byte-identical to SWE-bench's.
 */
export function pythonJsonDumps(value: unknown, indent?: number, level = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  const pad = indent === undefined ? '' : `\n${' '.repeat(indent * (level + 1))}`;
  const close = indent === undefined ? '' : `\n${' '.repeat(indent * level)}`;
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => pad + pythonJsonDumps(v, indent, level + 1));
    return `[${items.join(sep)}${close}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const items = entries.map(([k, v]) => `${pad}${pyString(k)}: ${pythonJsonDumps(v, indent, level + 1)}`);
    return `{${items.join(sep)}${close}}`;
  }
  throw new TypeError(`cannot serialize a ${typeof value}`);
}
