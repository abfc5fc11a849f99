/**
 * Whether a change is formatting only: the same code with different layout. Whitespace counts where it is
 * meaning: inside string literals (`'%(function)s(%(distinct)s'` vs `'... %(distinct)s'` is a fix, django
 * #10880) and, in Python, as the indentation of a statement (re-indenting moves code between blocks).
 * When in doubt the answer is "not formatting": a wrong "yes" loses a real task, a wrong "no" only costs a
 * validation run.
 */
export function formattingOnly(oldText: string, newText: string, path = ''): boolean {
  if (oldText === newText) return false;
  const python = path.endsWith('.py') || path.endsWith('.pyi');
  return significant(oldText, python) === significant(newText, python);
}

const QUOTES = new Set(["'", '"', '`']);

/** The text with insignificant whitespace removed: string literals verbatim, Python statement indents kept. */
function significant(text: string, python: boolean): string {
  let out = '';
  let depth = 0; // brackets open: a Python line inside them continues a statement, its indent is layout
  let lineStart = true;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (lineStart) {
      const indent = /^[ \t]*/.exec(text.slice(i, i + 200))![0];
      i += indent.length;
      lineStart = false;
      const blank = i >= text.length || text[i] === '\n' || text[i] === '\r';
      if (python && depth === 0 && !blank) out += `\n${indent.replaceAll('\t', '        ').length}:`;
      continue;
    }
    if (QUOTES.has(c)) {
      const end = stringEnd(text, i, python);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    if (!/\s/.test(c)) out += c;
    i++;
  }
  return out;
}

/** Where the string literal opening at `start` ends (after its closing quote; the text's end if unclosed). */
function stringEnd(text: string, start: number, python: boolean): number {
  const q = text[start]!;
  const triple = python && text.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text.startsWith(close, i)) return i + close.length;
    else if (!triple && q !== '`' && text[i] === '\n')
      return i; // an unclosed one-line string: an apostrophe in a comment
    else i++;
  }
  return text.length;
}
