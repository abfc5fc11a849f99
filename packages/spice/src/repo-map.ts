import * as fs from 'node:fs';
import { posix } from 'node:path';
import { parserFor } from '@repoforge/grammars';
import { parseGitDiff } from '@repoforge/schema';
import git from 'isomorphic-git';
import { type ImportRef, jsImports, pythonImports, resolveImport } from './imports.js';

/**
 * Reads files of the repo at the instance's base commit; `list`, when given, names every file there (imports
 * then resolve anywhere in the repo, and neighbours are found).
 */
export type FileReader = ((path: string) => Promise<string | undefined>) & { list?: () => Promise<string[]> };

/** Files at a commit, read straight from git objects (isomorphic-git; no checkout). */
export function gitFileReader(gitdir: string, commit: string): FileReader {
  const cache = {};
  const read = async (filepath: string) => {
    try {
      return Buffer.from((await git.readBlob({ fs, gitdir, oid: commit, filepath, cache })).blob).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  };
  let listed: Promise<string[]> | undefined;
  return Object.assign(read, { list: () => (listed ??= git.listFiles({ fs, gitdir, ref: commit, cache })) });
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

interface Outline {
  defs: { line: number; signature: string; name: string }[];
  imports: ImportRef[];
}

/** Definitions (first line = signature, and the defined name) and imports of a file, by tree-sitter. */
async function outline(path: string, text: string): Promise<Outline> {
  const lang = LANG[path.split('.').pop() ?? ''];
  if (!lang) return { defs: [], imports: [] };
  const parser = await parserFor(lang);
  const tree = parser.parse(text);
  const lines = text.split('\n');
  const root = tree?.rootNode;
  const defs = (root?.descendantsOfType(DEF_TYPES) ?? [])
    .filter((n) => n !== null)
    .map((n) => {
      const named = n.type === 'lexical_declaration' ? n.namedChildren[0] : n;
      return {
        line: n.startPosition.row + 1,
        signature: lines[n.startPosition.row]!.trim(),
        name: named?.childForFieldName('name')?.text ?? '',
      };
    });
  const imports = root ? (lang === 'python' ? pythonImports(root) : jsImports(root)) : [];
  tree?.delete();
  parser.delete();
  return { defs, imports };
}

/** Changed line ranges per file of a diff (new-side starts of hunks, old-side lines for the base). */
function hunksOf(diff: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const file of parseGitDiff(diff))
    if (file.path && file.hunks.length)
      out.set(
        file.path,
        file.hunks.map((h) => h.oldStart),
      );
  return out;
}

/** A related file and why it ranks where it does. */
export interface RankedFile {
  path: string;
  score: number;
  importedBy: string[];
  mentioned: string[];
  neighbour: boolean;
}

/**
 * Ranks the files around a change: imported by a touched file (3 per importer; the fix's own imports count
 * double), definitions the patches mention by name (1 each, at most 5), and a touched file's neighbours in its
 * directory (1). Pure.
 */
export function rankRelated(input: {
  touched: readonly string[];
  fixFiles: ReadonlySet<string>;
  importsOf: ReadonlyMap<string, string[]>;
  namesOf: ReadonlyMap<string, string[]>;
  patchText: string;
  files: readonly string[];
}): RankedFile[] {
  const touched = new Set(input.touched);
  const words = new Set(input.patchText.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const dirs = new Set(input.touched.map((t) => `${posix.dirname(t)}|${posix.extname(t)}`));
  const out = new Map<string, RankedFile>();
  const entry = (path: string) => {
    let e = out.get(path);
    if (!e) {
      e = { path, score: 0, importedBy: [], mentioned: [], neighbour: false };
      out.set(path, e);
    }
    return e;
  };
  for (const [from, targets] of input.importsOf)
    for (const t of targets)
      if (!touched.has(t)) {
        const e = entry(t);
        e.importedBy.push(from);
        e.score += input.fixFiles.has(from) ? 6 : 3;
      }
  for (const f of input.files) {
    if (touched.has(f) || !LANG[f.split('.').pop() ?? '']) continue;
    if (dirs.has(`${posix.dirname(f)}|${posix.extname(f)}`)) {
      const e = entry(f);
      e.neighbour = true;
      e.score += 1;
    }
  }
  for (const [path, names] of input.namesOf) {
    if (touched.has(path)) continue;
    const hit = [...new Set(names)].filter((n) => n.length > 2 && words.has(n));
    if (hit.length) {
      const e = entry(path);
      e.mentioned = hit;
      e.score += Math.min(5, hit.length);
    }
  }
  return [...out.values()].sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
}

/**
 * A repo map for the LLM, like SPICE's code navigation without Aider, within a token budget: the definitions and
 * signatures of the files the patch and test patch touch (fix first), the code around each hunk (up to 60% of the
 * budget), then the signatures of the files they import and their neighbours, ranked (`rankRelated`), then the
 * remaining hunk spans.
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
  const push = (s: string, cap = budget) => {
    if (used + s.length > cap) return false;
    parts.push(s);
    used += s.length;
    return true;
  };
  const fixHunks = hunksOf(patch);
  const files = [...fixHunks, ...hunksOf(testPatch)];
  const all = (await read.list?.().catch(() => undefined)) ?? [];
  const known = new Set([...all, ...files.map(([p]) => p)]);
  const texts = new Map<string, string>();
  const importsOf = new Map<string, string[]>();
  const sig = (path: string, o: Outline) =>
    `## ${path}\n${o.defs.map((d) => `${d.line}: ${d.signature}`).join('\n') || '(no definitions)'}\n`;
  // Signatures first (cheap, broad), then spans (dear, local), then the neighbourhood.
  for (const [path] of files) {
    const text = await read(path);
    if (text === undefined) continue;
    texts.set(path, text);
    const o = await outline(path, text);
    importsOf.set(
      path,
      o.imports.flatMap((ref) => resolveImport(path, ref, known)),
    );
    push(sig(path, o));
  }
  const spans: string[] = [];
  for (const [path, starts] of files) {
    const lines = texts.get(path)?.split('\n');
    if (!lines) continue;
    for (const start of starts) {
      const from = Math.max(0, start - 15);
      const span = lines
        .slice(from, start + 15)
        .map((l, i) => `${from + i + 1}| ${l}`)
        .join('\n');
      spans.push(`### ${path} around line ${start}\n${span}\n`);
    }
  }
  let next = 0;
  while (next < spans.length && push(spans[next]!, budget * 0.6)) next++;
  // Candidates: what the touched files import, and their neighbours; names come from their outlines.
  const touched = files.map(([p]) => p);
  const candidates = new Set([...importsOf.values()].flat());
  const dirs = new Set(touched.map((t) => posix.dirname(t)));
  for (const f of all) if (dirs.has(posix.dirname(f))) candidates.add(f);
  const outlines = new Map<string, Outline>();
  for (const c of candidates) {
    if (texts.has(c)) continue;
    const text = await read(c);
    if (text !== undefined) outlines.set(c, await outline(c, text));
  }
  const ranked = rankRelated({
    touched,
    fixFiles: new Set(fixHunks.keys()),
    importsOf,
    namesOf: new Map([...outlines].map(([p, o]) => [p, o.defs.map((d) => d.name)])),
    patchText: `${patch}\n${testPatch}`,
    files: [...outlines.keys()],
  });
  for (const r of ranked) {
    const o = outlines.get(r.path);
    if (!o) continue;
    const why = [
      r.importedBy.length ? `imported by ${r.importedBy.join(', ')}` : '',
      r.mentioned.length ? `defines ${r.mentioned.join(', ')}` : '',
      r.neighbour ? 'neighbour' : '',
    ]
      .filter(Boolean)
      .join('; ');
    push(sig(r.path, o).replace('\n', ` (${why})\n`));
  }
  while (next < spans.length && push(spans[next]!)) next++;
  return parts.join('\n');
}
