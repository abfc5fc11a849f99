import type { Node } from '@repoforge/grammars';
import { parserFor } from '@repoforge/grammars';

/** What a setup.py declares, read from its syntax tree. */
export interface SetupPyInfo {
  installRequires: string[];
  testsRequire: string[];
  extrasRequire: Record<string, string[]>;
  pythonRequires?: string;
  /** Keyword values that were not literals (computed at run time): planning cannot see them. */
  dynamic: string[];
}

function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const content = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text);
  return content.join('');
}

/**
 * A requirement element: a string literal, or one formatted at run time (`'mpmath>=%s' % v`,
 * `'mpmath>={}'.format(v)`, an f-string), of which the package name is what planning can know for sure.
 */
function requirementValue(node: Node): string | undefined {
  const literal = stringValue(node);
  const fString = node.namedChildren.some((c) => c?.type === 'interpolation');
  if (literal !== undefined && !fString && !/[{%]/.test(literal)) return literal;
  let template = literal;
  if (node.type === 'binary_operator') template = stringValue(node.childForFieldName('left')!);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute') template = stringValue(fn.childForFieldName('object')!);
  }
  const name = (template?.split(/[%{]/)[0] ?? '').replace(/[<>=!~\s]+$/, '');
  return name || undefined;
}

/**
 * Reads `setup(...)` keywords from setup.py with tree-sitter, without executing it: list/tuple literals of
 * strings, names bound to such literals at module level, `open('requirements.txt')`-style reads reported as
 * dynamic.
 */
export async function readSetupPy(source: string): Promise<SetupPyInfo> {
  const parser = await parserFor('python');
  const tree = parser.parse(source);
  const info: SetupPyInfo = { installRequires: [], testsRequire: [], extrasRequire: {}, dynamic: [] };
  if (!tree) return info;
  const bindings = new Map<string, Node>();
  for (const stmt of tree.rootNode.namedChildren) {
    const assign = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (assign?.type === 'assignment') {
      const left = assign.childForFieldName('left');
      const right = assign.childForFieldName('right');
      if (left?.type === 'identifier' && right) bindings.set(left.text, right);
    }
  }
  const resolve = (node: Node | null): Node | null =>
    node?.type === 'identifier' ? (bindings.get(node.text) ?? node) : node;
  const strings = (node: Node | null, key: string): string[] | undefined => {
    const n = resolve(node);
    if (!n) return undefined;
    if (n.type === 'list' || n.type === 'tuple')
      return n.namedChildren
        .map((c) => (c ? requirementValue(c) : undefined))
        .filter((s): s is string => !!s);
    if (n.type === 'binary_operator') {
      const l = strings(n.childForFieldName('left'), key);
      const r = strings(n.childForFieldName('right'), key);
      if (l && r) return [...l, ...r];
    }
    info.dynamic.push(key);
    return undefined;
  };
  const calls = tree.rootNode.descendantsOfType('call');
  for (const call of calls) {
    const fn = call?.childForFieldName('function');
    if (!call || !fn || !/(^|\.)setup$/.test(fn.text)) continue;
    for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (arg?.type !== 'keyword_argument') continue;
      const name = arg.childForFieldName('name')?.text;
      const value = arg.childForFieldName('value');
      if (name === 'install_requires') info.installRequires.push(...(strings(value, name) ?? []));
      else if (name === 'tests_require') info.testsRequire.push(...(strings(value, name) ?? []));
      else if (name === 'python_requires')
        info.pythonRequires = value ? stringValue(resolve(value)!) : undefined;
      else if (name === 'extras_require') {
        const dict = resolve(value);
        if (dict?.type !== 'dictionary') {
          info.dynamic.push(name);
          continue;
        }
        for (const pair of dict.namedChildren) {
          if (pair?.type !== 'pair') continue;
          const k = pair.childForFieldName('key');
          const key = k ? stringValue(k) : undefined;
          if (key)
            info.extrasRequire[key] = strings(pair.childForFieldName('value'), `extras_require.${key}`) ?? [];
        }
      }
    }
  }
  tree.delete();
  parser.delete();
  return info;
}
