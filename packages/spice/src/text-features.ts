import { parseGitDiff } from '@repoforge/schema';

/**
 * Features of how the statement, the fix and the tests relate, computed from text alone. Each is a known cause of a
 * label in SWE-bench Verified's annotation notes: tests that assert on messages or names the statement never gives
 * (false negatives), statements that name what the fix touches (clear), vague or proposal-like wording (unclear).
 */

const log1p = Math.log1p;

/** Added or removed lines of a diff, without their marker, optionally only of files matching `keep`. */
function diffLines(diff: string, marker: '+' | '-', keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const file of parseGitDiff(diff)) {
    if (!keep(file.path)) continue;
    for (const hunk of file.hunks) for (const l of hunk.lines) if (l.startsWith(marker)) out.push(l.slice(1));
  }
  return out;
}

/** String literals of at least `min` characters that read like words (messages, names), not format codes. */
function stringLiterals(lines: readonly string[], min = 6): string[] {
  const out: string[] = [];
  for (const l of lines)
    for (const m of l.matchAll(/(['"])((?:\\.|(?!\1).){6,}?)\1/g)) {
      const s = m[2]!;
      if (s.length >= min && /[a-z]{3}/i.test(s)) out.push(s);
    }
  return out;
}

/** Names defined (def/class/function) in lines. */
function definedNames(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const l of lines) {
    const m = /^\s*(?:async\s+)?(?:def|class|function)\s+([A-Za-z_]\w*)/.exec(l);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** Functions the fix edits, from hunk headers (`def name(` / `class Name`). */
function editedNames(diff: string): Set<string> {
  const out = new Set<string>();
  for (const file of parseGitDiff(diff))
    for (const hunk of file.hunks) {
      const m = /(?:def|class|function)\s+([A-Za-z_]\w*)/.exec(hunk.section ?? '');
      if (m) out.add(m[1]!);
    }
  return out;
}

const share = (hits: number, of: number) => (of ? hits / of : 0);

function mentions(statement: string, name: string): boolean {
  return statement.includes(name.toLowerCase());
}

const VAGUE =
  /\b(maybe|perhaps|not sure|i think|i guess|should we|could we|would be (nice|good|great)|suggest|propos\w*|discuss\w*|unclear|wonder|ideally|consider|any thoughts)\b/gi;
const MESSAGE_ASSERTS =
  /assertRaisesMessage|assertRaisesRegex|assertWarnsMessage|assertWarnsRegex|match\s*=|str\((e|exc|err|excinfo)|\.value\)|msg\s*=|assertIn\(\s*['"]|toThrow\(\s*['"/]|\.message\b/g;

/** Statement-vs-fix-vs-tests features (named `x_*`, `s_*`). */
export function relationFeatures(i: {
  patch: string;
  test_patch: string;
  problem_statement: string;
  FAIL_TO_PASS: readonly string[];
}): Record<string, number> {
  const statement = (i.problem_statement ?? '').toLowerCase();
  const fixAdded = diffLines(i.patch, '+');
  const fixRemoved = diffLines(i.patch, '-');
  const testAdded = diffLines(i.test_patch, '+');
  const testText = testAdded.join('\n');
  const literals = [...new Set(stringLiterals(testAdded))];
  const unseen = literals.filter((s) => !statement.includes(s.toLowerCase()));
  const fixText = fixAdded.join('\n');
  const fromFix = unseen.filter((s) => fixText.includes(s));
  const removedDefs = definedNames(fixRemoved);
  const newApi = [...definedNames(fixAdded)].filter((n) => !removedDefs.has(n) && !n.startsWith('_'));
  const testedNewApi = newApi.filter((n) => new RegExp(`\\b${n}\\b`).test(testText));
  const edited = [...editedNames(i.patch)];
  const files = parseGitDiff(i.patch).map((f) =>
    f.path
      .split('/')
      .pop()!
      .replace(/\.\w+$/, ''),
  );
  const f2pNamed = i.FAIL_TO_PASS.filter((t) => {
    const name = /(?:::|\.)?(test_?\w+)/i.exec(t.split(/\s|::/).pop() ?? t)?.[1] ?? t;
    return name
      .replace(/^test_?/i, '')
      .split('_')
      .some((w) => w.length > 3 && statement.includes(w.toLowerCase()));
  });
  return {
    x_test_literals: log1p(literals.length),
    x_test_literals_unseen: share(unseen.length, literals.length),
    x_test_literals_from_fix: log1p(fromFix.length),
    x_message_asserts: log1p((testText.match(MESSAGE_ASSERTS) ?? []).length),
    x_new_api: log1p(newApi.length),
    x_tested_new_api_unnamed: log1p(testedNewApi.filter((n) => !mentions(statement, n)).length),
    x_edited_named: share(edited.filter((n) => mentions(statement, n)).length, edited.length),
    x_files_named: share(files.filter((n) => n.length > 3 && mentions(statement, n)).length, files.length),
    x_f2p_named: share(f2pNamed.length, i.FAIL_TO_PASS.length),
    x_test_vs_fix: log1p(testAdded.length) - log1p(fixAdded.length + fixRemoved.length),
    x_new_test_files: log1p((i.test_patch.match(/^new file mode/gm) ?? []).length),
  };
}

/** Wording of the statement (`s_*`). */
export function statementFeatures(statement: string): Record<string, number> {
  const s = statement ?? '';
  const fenced = (s.match(/```[\s\S]*?```/g) ?? []).join('').length;
  const identifiers = s.match(/`[^`\n]+`|\b\w+\.\w+\(|\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z]\w+\b/g) ?? [];
  return {
    s_vague: log1p((s.match(VAGUE) ?? []).length),
    s_code_share: share(fenced, s.length),
    s_identifiers: log1p(identifiers.length),
    s_sections: /#+\s*(expected|actual|steps|to reproduce|description)/i.test(s) ? 1 : 0,
    s_versions: /\b(version|python\s*3\.\d|==\s*\d)/i.test(s) ? 1 : 0,
    s_bullets: log1p((s.match(/^\s*[-*]\s+/gm) ?? []).length),
    s_first_line: log1p(s.split('\n')[0]!.length),
  };
}
