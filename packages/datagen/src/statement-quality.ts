/** Why a problem statement is not an issue a solver could start from, or `ok`. */
export type StatementQuality = 'ok' | 'empty' | 'generic' | 'leaks_solution';

const GENERIC =
  /^(merge (pull request|branch|remote-tracking branch|commit)\b.*|merge commit from fork|bump\b.*|update (deps|dependencies)\b.*|wip|fix(es|ed)?( (a )?(typo|tests?|bug|lint|build|ci))?|minor (fix|changes?)|cleanup|refactor(ing)?|\d+\.\d+\.\d+|v\d+\.\d+\.\d+)\.?$/i;

/** Identifiers a statement could name (`camelCase`, `snake_case`, `dotted.names`, calls), 4+ characters. */
function identifiers(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\b[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\b/g)]
      .map((m) => m[0])
      .filter((w) => w.length >= 4 && (/[a-z][A-Z]|_|\./.test(w) || /\(/.test(w))),
  );
}

/**
 * Judges a mined statement against the fix it describes: `empty` (nothing to go on), `generic` (a merge or
 * housekeeping subject), `leaks_solution` (it quotes a line the fix adds, or names the changed identifiers
 * and how they change — squash bullets that spell out the diff). Heuristics, recorded with the instance so a
 * trainer can filter; nothing is dropped on its own.
 */
export function statementQuality(statement: string, patch: string): StatementQuality {
  const text = statement.trim();
  if (text.replace(/\W/g, '').length < 10) return 'empty';
  const [subject = '', ...body] = text.split('\n');
  if (GENERIC.test(subject.trim()) && body.join('').trim().length < 40) return 'generic';
  const added = patch
    .split('\n')
    .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
    .map((l) => l.slice(1).trim())
    .filter((l) => l.length >= 16 && !/^(\/\/|#|\*|\/\*)/.test(l));
  if (added.some((l) => text.includes(l))) return 'leaks_solution';
  const changed = new Set<string>();
  for (const line of patch.split('\n'))
    if (/^[+-](?![+-])/.test(line)) for (const id of identifiers(line.slice(1))) changed.add(id);
  const named = [...identifiers(text)].filter((id) => changed.has(id));
  if (
    named.length >= 2 &&
    /\b(instead of|replace[sd]?|rename[sd]?|change[sd]? .{1,40} to|now uses?|->|=>|→)/i.test(text)
  )
    return 'leaks_solution';
  return 'ok';
}
