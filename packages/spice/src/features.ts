import { parserFor } from '@repoforge/grammars';
import { parseGitDiff } from '@repoforge/schema';
import { relationFeatures, statementFeatures } from './text-features.js';

/** What the offline model reads of an instance (SWE-bench fields). */
export interface FeatureInput {
  repo: string;
  patch: string;
  test_patch: string;
  problem_statement: string;
  hints_text?: string;
  created_at?: string;
  FAIL_TO_PASS: readonly string[];
  PASS_TO_PASS: readonly string[];
}

const REPOS = [
  'django/django',
  'sympy/sympy',
  'astropy/astropy',
  'matplotlib/matplotlib',
  'scikit-learn/scikit-learn',
  'sphinx-doc/sphinx',
  'pytest-dev/pytest',
  'pydata/xarray',
  'psf/requests',
  'pylint-dev/pylint',
  'mwaskom/seaborn',
  'pallets/flask',
];

function diffStats(diff: string) {
  const files = new Set<string>();
  const contexts = new Set<string>();
  let hunks = 0;
  let added = 0;
  let removed = 0;
  let maxHunk = 0;
  const addedCode: string[] = [];
  for (const file of parseGitDiff(diff)) {
    files.add(file.path);
    for (const hunk of file.hunks) {
      hunks++;
      if (hunk.section) contexts.add(`${file.path}:${hunk.section}`);
      const plus = hunk.lines.filter((l) => l.startsWith('+'));
      const minus = hunk.lines.filter((l) => l.startsWith('-')).length;
      added += plus.length;
      removed += minus;
      maxHunk = Math.max(maxHunk, plus.length + minus);
      if (file.path.endsWith('.py')) addedCode.push(...plus.map((l) => l.slice(1)));
    }
  }
  return {
    files: files.size,
    hunks,
    added,
    removed,
    maxHunk,
    contexts: contexts.size,
    addedCode: addedCode.join('\n'),
  };
}

/** Functions and classes defined in added Python code, counted by tree-sitter (fragments parse tolerantly). */
async function definitionsIn(code: string): Promise<number> {
  if (!code.trim()) return 0;
  const parser = await parserFor('python');
  // Added lines keep their indentation; dedent so fragments of methods parse as definitions.
  const indent = Math.min(
    ...code
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.length - l.trimStart().length),
  );
  const tree = parser.parse(
    code
      .split('\n')
      .map((l) => l.slice(indent))
      .join('\n'),
  );
  const n = tree ? tree.rootNode.descendantsOfType(['function_definition', 'class_definition']).length : 0;
  tree?.delete();
  parser.delete();
  return n;
}

const log1p = Math.log1p;

/** Named numeric features of an instance; no LLM, no network. */
export async function computeFeatures(i: FeatureInput): Promise<Record<string, number>> {
  const p = diffStats(i.patch);
  const t = diffStats(i.test_patch);
  const s = i.problem_statement ?? '';
  const codeBlocks = (s.match(/```/g) ?? []).length / 2;
  const f: Record<string, number> = {
    p_files: log1p(p.files),
    p_hunks: log1p(p.hunks),
    p_added: log1p(p.added),
    p_removed: log1p(p.removed),
    p_changed: log1p(p.added + p.removed),
    p_max_hunk: log1p(p.maxHunk),
    p_contexts: log1p(p.contexts),
    p_new_defs: log1p(await definitionsIn(p.addedCode)),
    p_multi_file: p.files > 1 ? 1 : 0,
    t_files: log1p(t.files),
    t_hunks: log1p(t.hunks),
    t_added: log1p(t.added),
    f2p: log1p(i.FAIL_TO_PASS.length),
    p2p: log1p(i.PASS_TO_PASS.length),
    s_len: log1p(s.length),
    s_lines: log1p(s.split('\n').length),
    s_code_blocks: log1p(codeBlocks),
    s_traceback: /Traceback \(most recent call last\)|Error:|Exception/.test(s) ? 1 : 0,
    s_expected_actual: /expected|actual|should (be|return)|instead of/i.test(s) ? 1 : 0,
    s_reproducer: /```[\s\S]*?(import |>>> |def )[\s\S]*?```|^>>> /m.test(s) ? 1 : 0,
    s_urls: log1p((s.match(/https?:\/\//g) ?? []).length),
    s_question: /\?\s*$/m.test(s) ? 1 : 0,
    s_feature_words: /\b(add|support|feature|allow|option|new)\b/i.test(s.slice(0, 300)) ? 1 : 0,
    h_len: log1p((i.hints_text ?? '').length),
    ...relationFeatures(i),
    ...statementFeatures(s),
  };
  for (const r of REPOS) f[`repo_${r.split('/')[1]}`] = i.repo === r ? 1 : 0;
  return f;
}
