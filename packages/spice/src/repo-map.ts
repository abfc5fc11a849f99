import * as fs from 'node:fs';
import git from 'isomorphic-git';
import { parserFor } from './grammar.js';

/** Reads files of the repo at the instance's base commit. */
export type FileReader = (path: string) => Promise<string | undefined>;

/** Files at a commit, read straight from git objects (isomorphic-git; no checkout). */
export function gitFileReader(gitdir: string, commit: string): FileReader {
  const cache = {};
  return async (filepath) => {
    try {
      return Buffer.from((await git.readBlob({ fs, gitdir, oid: commit, filepath, cache })).blob).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  };
}

const LANG: Record<string, 'python' | 'javascript' | 'typescript'> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
};
const DEF_TYPES = [
  'function_definition',
  'class_definition',
  'function_declaration',
  'class_declaration',
  'method_definition',
  'lexical_declaration',
];

/** Definitions (first line = signature) of a file, by tree-sitter. */
async function definitions(path: string, text: string): Promise<{ line: number; signature: string }[]> {
  const lang = LANG[path.split('.').pop() ?? ''];
  if (!lang) return [];
  const parser = await parserFor(lang);
  const tree = parser.parse(text);
  const out = (tree?.rootNode.descendantsOfType(DEF_TYPES) ?? []).filter(Boolean).map((n) => ({
    line: n!.startPosition.row + 1,
    signature: text.split('\n')[n!.startPosition.row]!.trim(),
  }));
  tree?.delete();
  parser.delete();
  return out;
}

/** Changed line ranges per file of a diff (new-side starts of hunks, old-side lines for the base). */
function hunksOf(diff: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let file = '';
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) file = line.split(' b/')[1] ?? '';
    const m = /^@@ -(\d+)/.exec(line);
    if (m && file) out.set(file, [...(out.get(file) ?? []), Number(m[1])]);
  }
  return out;
}

/**
 * A repo map for the LLM, like SPICE's code navigation without Aider: for each file the patch and test patch touch
 * (fix first), its definitions and signatures, then the lines around each hunk; within a token budget.
 */
export async function buildRepoMap(
  read: FileReader,
  patch: string,
  testPatch: string,
  budgetTokens = 3000,
): Promise<string> {
  const budget = budgetTokens * 4;
  const parts: string[] = [];
  let used = 0;
  const push = (s: string) => {
    if (used + s.length > budget) return false;
    parts.push(s);
    used += s.length;
    return true;
  };
  const files = [...hunksOf(patch), ...hunksOf(testPatch)];
  // Signatures first (cheap, broad), then spans (dear, local): the map stays useful when the budget is small.
  const texts = new Map<string, string>();
  for (const [path] of files) {
    const text = await read(path);
    if (text === undefined) continue;
    texts.set(path, text);
    const defs = await definitions(path, text);
    if (
      !push(`## ${path}\n${defs.map((d) => `${d.line}: ${d.signature}`).join('\n') || '(no definitions)'}\n`)
    )
      break;
  }
  for (const [path, starts] of files) {
    const lines = texts.get(path)?.split('\n');
    if (!lines) continue;
    for (const start of starts) {
      const from = Math.max(0, start - 15);
      const span = lines
        .slice(from, start + 15)
        .map((l, i) => `${from + i + 1}| ${l}`)
        .join('\n');
      if (!push(`### ${path} around line ${start}\n${span}\n`)) return parts.join('\n');
    }
  }
  return parts.join('\n');
}
