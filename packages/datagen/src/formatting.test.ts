import { describe, expect, it } from 'vitest';
import { formattingOnly } from './formatting.js';

describe('formattingOnly', () => {
  it('is true for layout: spaces around operators, wrapped arguments, blank lines', () => {
    expect(formattingOnly('f(a,b)\n', 'f(a, b)\n\n', 'x.js')).toBe(true);
    expect(formattingOnly('x = f(a,\n      b)\n', 'x = f(\n    a, b\n)\n', 'm.py')).toBe(true);
  });

  it('is false when whitespace inside a string changes (django #10880: a missing space in SQL)', () => {
    const before = "    template = '%(function)s(%(distinct)s%(expressions)s)'\n";
    const after = "    template = '%(function)s(%(distinct)s %(expressions)s)'\n";
    expect(formattingOnly(before, after, 'django/db/models/aggregates.py')).toBe(false);
    expect(formattingOnly('s = "a b"', 's = "ab"', 'x.ts')).toBe(false);
    expect(formattingOnly('s = """a\n b"""\n', 's = """a\nb"""\n', 'm.py')).toBe(false);
  });

  it('is false when a Python statement moves between blocks (its indentation changes)', () => {
    const before = 'if a:\n    b()\n    c()\n';
    const after = 'if a:\n    b()\nc()\n';
    expect(formattingOnly(before, after, 'm.py')).toBe(false);
    // The same change in a language where indentation is layout.
    expect(formattingOnly('if (a) {\n  b();\n  c();\n}\n', 'if (a) {\n  b();\n    c();\n}\n', 'm.js')).toBe(
      true,
    );
  });

  it('an apostrophe in a comment does not swallow the rest of the file', () => {
    const before = "# don't\nx = f(a,b)\n";
    const after = "# don't\nx = f(a, b)\n";
    expect(formattingOnly(before, after, 'm.py')).toBe(true);
    expect(formattingOnly('a', 'a', 'm.py')).toBe(false);
  });
});
