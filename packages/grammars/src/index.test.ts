import { describe, expect, it } from 'vitest';
import { parserFor } from './index.js';

describe('parserFor', () => {
  it('parses each language it names, with one grammar load shared by later parsers', async () => {
    const py = await parserFor('python');
    const tree = py.parse('def f(x):\n    return x + 1\n');
    expect(tree?.rootNode.firstChild?.type).toBe('function_definition');
    const js = await parserFor('javascript');
    expect(js.parse('const a = () => 1;')?.rootNode.hasError).toBe(false);
    const [a, b] = await Promise.all([parserFor('typescript'), parserFor('typescript')]);
    expect(a.language).toBe(b.language);
  });
});
