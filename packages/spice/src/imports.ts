import { posix } from 'node:path';
import type { Node } from '@repoforge/grammars';

/** One import as written: a module path and, for Python `from m import a, b`, the imported names. */
export interface ImportRef {
  /** Python: dotted module with leading dots for relative imports (`..pkg.mod`); JS/TS: the specifier. */
  module: string;
  names: string[];
}

const nameOf = (n: Node | null | undefined) => n?.text ?? '';

/** Imports of a parsed Python module: `import a.b`, `import a as c`, `from .x import y`. */
export function pythonImports(root: Node): ImportRef[] {
  const out: ImportRef[] = [];
  for (const n of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!n) continue;
    if (n.type === 'import_statement') {
      for (const c of n.childrenForFieldName('name')) {
        const mod = c?.type === 'aliased_import' ? nameOf(c.childForFieldName('name')) : nameOf(c);
        if (mod) out.push({ module: mod, names: [] });
      }
    } else {
      const mod = nameOf(n.childForFieldName('module_name')).replace(/\s+/g, '');
      const names = n
        .childrenForFieldName('name')
        .map((c) => (c?.type === 'aliased_import' ? nameOf(c.childForFieldName('name')) : nameOf(c)))
        .filter(Boolean);
      if (mod) out.push({ module: mod, names });
    }
  }
  return out;
}

const stringValue = (n: Node | null | undefined) => (n ? n.text.replace(/^['"`]|['"`]$/g, '') : '');

/** Imports of a parsed JS/TS module: `import ... from`, `export ... from`, `require()`, `import()`. */
export function jsImports(root: Node): ImportRef[] {
  const out: ImportRef[] = [];
  for (const n of root.descendantsOfType(['import_statement', 'export_statement', 'call_expression'])) {
    if (!n) continue;
    let spec = '';
    if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'import' || (fn?.type === 'identifier' && fn.text === 'require'))
        spec = stringValue(n.childForFieldName('arguments')?.namedChildren[0]);
    } else spec = stringValue(n.childForFieldName('source'));
    if (spec) out.push({ module: spec, names: [] });
  }
  return out;
}

const JS_EXTS = ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];

/**
 * Repo files an import can mean. Relative JS specifiers resolve against the importing file (with extensions and
 * index files; `.js` written for a `.ts` source too); bare JS packages are outside the repo. Python modules
 * resolve relative to the file for leading dots, else anywhere their path ends the same way (src layouts);
 * `from m import name` also tries the submodule `m/name.py`.
 */
export function resolveImport(from: string, ref: ImportRef, files: ReadonlySet<string>): string[] {
  const dir = posix.dirname(from);
  if (from.endsWith('.py')) {
    const dots = /^\.*/.exec(ref.module)![0].length;
    const rest = ref.module.slice(dots).split('.').filter(Boolean);
    const bases = [rest, ...ref.names.map((n) => [...rest, n])];
    const found = new Set<string>();
    for (const parts of bases) {
      const tails = [`${parts.join('/')}.py`, `${[...parts, '__init__'].join('/')}.py`];
      for (const tail of tails) {
        if (dots > 0) {
          let base = dir;
          for (let i = 1; i < dots; i++) base = posix.dirname(base);
          const p = posix.normalize(posix.join(base, tail));
          if (files.has(p)) found.add(p);
        } else if (parts.length) {
          for (const f of files) if (f === tail || f.endsWith(`/${tail}`)) found.add(f);
        }
      }
    }
    found.delete(from);
    return [...found];
  }
  if (!ref.module.startsWith('.')) return [];
  const target = posix.normalize(posix.join(dir, ref.module));
  const stem = target.replace(/\.(m|c)?js$/, '');
  for (const base of [target, stem]) {
    for (const ext of JS_EXTS) if (files.has(base + ext)) return [base + ext];
    for (const ext of JS_EXTS.slice(1)) if (files.has(`${base}/index${ext}`)) return [`${base}/index${ext}`];
  }
  return [];
}
