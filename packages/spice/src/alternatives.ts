import type { Instance, Prediction } from '@repoforge/schema';
import { z } from 'zod';

/**
 * What an alternative fix changes of the reference fix: the wording of a message it adds, or the name of a
 * definition it adds. Neither is asked for by the problem statement, so a valid fix may well differ there;
 * FAIL_TO_PASS tests that reject the alternative reject valid solutions (SWE-bench Verified's "false negative").
 */
export const AlternativeKind = z.enum(['message', 'name', 'control']);
export type AlternativeKind = z.infer<typeof AlternativeKind>;

export const AlternativeFix = z.object({
  /** The instance it is an alternative for. */
  instance_id: z.string(),
  /** Its own id in the alternatives dataset (`<instance_id>.alt-<kind>`). */
  id: z.string(),
  kind: AlternativeKind,
  patch: z.string(),
  changes: z.array(z.object({ from: z.string(), to: z.string() })),
});
export type AlternativeFix = z.infer<typeof AlternativeFix>;

/** The model name the alternatives' predictions carry. */
export const ALTERNATIVES_MODEL = 'repoforge-alternatives';

type PatchLine = { index: number; text: string };

/** Added lines of a patch that are code: not headers, comments, or docstrings (a docstring is no contract). */
function addedCodeLines(lines: readonly string[]): PatchLine[] {
  const out: PatchLine[] = [];
  let inDocstring = false;
  lines.forEach((line, index) => {
    if (line.startsWith('diff --git ')) inDocstring = false;
    if (!line.startsWith('+') || line.startsWith('+++ ')) return;
    const body = line.slice(1);
    const quotes = (body.match(/"""|'''/g) ?? []).length;
    if (quotes) {
      if (quotes % 2 === 1) inDocstring = !inDocstring;
      return;
    }
    if (inDocstring || /^\s*(#|\/\/|\/?\*)/.test(body)) return;
    out.push({ index, text: body });
  });
  return out;
}

/** A string literal on one line (Python prefixes, JS quotes; template literals are left alone). */
const STRING = /(?<![\w])(?:[rbfuRBFU]{0,2})(["'])((?:\\.|(?!\1)[^\\\n])*)\1/g;
/** Parts of a string's text that are not prose: format placeholders and escapes. */
const NOT_PROSE = /\{[^}]*\}|%\([^)]*\)[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|\\./g;

/**
 * The string's text with its first two different lowercase words swapped, or undefined when it is not prose
 * (fewer than three lowercase words: a key, an identifier, a SQL fragment of keywords and names).
 */
export function rewordMessage(text: string): string | undefined {
  const masked = text.replace(NOT_PROSE, (m) => ' '.repeat(m.length));
  const words = [...masked.matchAll(/(?<![\w$])[a-z]{2,}(?![\w$])/g)];
  const first = words[0];
  const second = words.find((w) => w[0] !== first?.[0]);
  if (words.length < 3 || !first || !second) return undefined;
  const [a, b] = [first.index!, second.index!];
  return (
    text.slice(0, a) +
    second[0] +
    text.slice(a + first[0].length, b) +
    first[0] +
    text.slice(b + second[0].length)
  );
}

/** What the repo had before the fix, as far as the patch shows it: context and removed lines. */
function existingText(lines: readonly string[]): string {
  return lines.filter((l) => l.startsWith(' ') || (l.startsWith('-') && !l.startsWith('--- '))).join('\n');
}

/**
 * The reference fix with every prose string it adds reworded. A string the patch also removes or keeps is the
 * repo's own (a moved or re-indented line), not the fix's: tests written before the fix may check it.
 */
function messageAlternative(lines: string[]): AlternativeFix['changes'] {
  const changes: AlternativeFix['changes'] = [];
  const existing = existingText(lines);
  for (const { index, text } of addedCodeLines(lines)) {
    const next = text.replace(STRING, (literal, quote: string, body: string) => {
      const reworded = existing.includes(body) ? undefined : rewordMessage(body);
      if (reworded === undefined) return literal;
      changes.push({ from: body, to: reworded });
      return literal.slice(0, literal.length - body.length - 2) + quote + reworded + quote;
    });
    lines[index] = `+${next}`;
  }
  return changes;
}

const DEFINITION =
  /^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)|^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/;
/**
 * Names found by their spelling (dispatch by name: printers, visitors, test discovery, dunder hooks): renaming
 * one changes behaviour, so it is no alternative.
 */
const FOUND_BY_NAME =
  /^(__\w+__|_print_|print_|visit_|leave_|depart_|do_|handle_|test|setUp|tearDown|on[A-Z])/;

const wordRe = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');

/** The reference fix with every definition it adds, which nothing before it and no statement names, renamed. */
function nameAlternative(lines: string[], statement: string): AlternativeFix['changes'] {
  const existing = existingText(lines);
  const added = addedCodeLines(lines);
  const names = new Set<string>();
  for (const { text } of added) {
    const m = DEFINITION.exec(text);
    const name = m?.[1] ?? m?.[2];
    if (!name || FOUND_BY_NAME.test(name)) continue;
    if (wordRe(name).test(existing) || wordRe(name).test(statement)) continue;
    names.add(name);
  }
  if (!names.size) return [];
  for (const { index, text } of added)
    lines[index] = `+${[...names].reduce((t, n) => t.replace(wordRe(n), `${n}_alt`), text)}`;
  return [...names].map((n) => ({ from: n, to: `${n}_alt` }));
}

/**
 * Cheap alternative fixes of an instance: its reference fix with the messages it adds reworded, and with the
 * definitions it adds renamed (each where the fix has any), plus the reference fix itself as the control that
 * tells a rejection from an environment that cannot run the tests. Empty when the fix has neither.
 */
export function alternativeFixes(instance: Pick<Instance, 'instance_id' | 'patch' | 'problem_statement'>) {
  const make = (kind: AlternativeKind, change: (lines: string[]) => AlternativeFix['changes']) => {
    const lines = (instance.patch ?? '').split('\n');
    const changes = change(lines);
    return {
      instance_id: instance.instance_id,
      id: `${instance.instance_id}.alt-${kind}`,
      kind,
      patch: lines.join('\n'),
      changes,
    };
  };
  const alternatives = [
    make('message', messageAlternative),
    make('name', (lines) => nameAlternative(lines, instance.problem_statement ?? '')),
  ].filter((a) => a.changes.length > 0);
  if (!alternatives.length) return [];
  return [make('control', () => []), ...alternatives] satisfies AlternativeFix[];
}

/**
 * The dataset and predictions that run a set of instances' alternative fixes through `eval run`: each
 * alternative is an instance of its own (same repo, commit, tests), predicted by its patch.
 */
export function alternativesRun(instances: readonly Instance[]) {
  const alternatives = instances.flatMap((i) => alternativeFixes(i));
  const byId = new Map(instances.map((i) => [i.instance_id, i]));
  const dataset = alternatives.map((a) => ({ ...byId.get(a.instance_id)!, instance_id: a.id }));
  const predictions: Prediction[] = alternatives.map((a) => ({
    instance_id: a.id,
    model_name_or_path: ALTERNATIVES_MODEL,
    model_patch: a.patch,
  }));
  return { alternatives, dataset, predictions };
}
