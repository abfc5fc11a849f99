import { canonicalTestName, docstringPairs } from '@repoforge/harness';
import { memoAsync, type TestStatusMap, unittestNaming } from '@repoforge/schema';

/** Reads a repo file at the mined commit (undefined when absent). */
export type ReadRepoFile = (path: string) => Promise<string | undefined>;

/**
 * Names a run's statuses as SWE-bench's lists name them, which depends on the Python SWE-bench ran the
 * version on (schema's unittestNaming): Python 3.11's `test_x (m.C.test_x)` as `test_x (m.C)` unless SWE-bench
 * ran 3.11 too (django 5.0), and a test shown by its docstring under one name only — its docstring line, or
 * its name where SWE-bench's Python would not have shown the docstring (django 3.x on Python 3.6: a docstring
 * whose text starts on the next line). The parser records both; a mined list with both has an extra test.
 */
export function swebenchNamer(repo: string, version: string | undefined, readFile: ReadRepoFile) {
  const naming = unittestNaming(repo, version);
  const files = new Map<string, Promise<string | undefined>>();
  const read = (path: string) => memoAsync(files, path, () => readFile(path));
  return async (map: TestStatusMap | undefined, log: string): Promise<TestStatusMap> => {
    const out: TestStatusMap = naming.longNames
      ? { ...map }
      : Object.fromEntries(Object.entries(map ?? {}).map(([name, s]) => [canonicalTestName(name), s]));
    for (const pair of docstringPairs(log)) {
      if (!(pair.name in out && pair.description in out)) continue;
      const byDescription =
        naming.docstring === 'always' || (await docstringStartsOnFirstLine(pair.name, read));
      delete out[byDescription ? pair.name : pair.description];
    }
    return out;
  };
}

/**
 * Whether the docstring of `test_x (pkg.module.Class)` has text on its opening line, read from the test
 * module's source (django's tests/pkg/module.py, or pkg/module.py). Unknown counts as yes: SWE-bench's
 * parser then keys the test by its docstring line.
 */
async function docstringStartsOnFirstLine(name: string, read: ReadRepoFile): Promise<boolean> {
  const m = /^(\w+) \(([\w.]+)\.(\w+)\)$/.exec(name);
  if (!m) return true;
  const [, method, module, cls] = m;
  const path = module!.replaceAll('.', '/');
  for (const candidate of [`tests/${path}.py`, `${path}.py`]) {
    const source = await read(candidate);
    if (source === undefined) continue;
    const classAt = source.search(new RegExp(`^\\s*class ${cls}\\b`, 'm'));
    const def = new RegExp(`def ${method}\\([^)]*\\)[^:\\n]*:[ \\t]*\\n\\s*[rRuU]?("""|''')(.*)`, 'g');
    def.lastIndex = Math.max(0, classAt);
    const doc = def.exec(source);
    if (doc) return doc[2]!.trim() !== '';
  }
  return true;
}
