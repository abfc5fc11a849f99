/** One Python requirement: its normalized name, extras, specifier and marker (PEP 508, enough for planning). */
export interface Requirement {
  name: string;
  extras: string[];
  specifier: string;
  marker: string;
  raw: string;
}

/** PEP 503 normalization: lowercase, runs of `-_.` become `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Parses one PEP 508 requirement string; undefined for URLs, paths and options. */
export function parseRequirement(line: string): Requirement | undefined {
  const text = line.replace(/\s+#.*$/, '').trim();
  if (!text || text.startsWith('#') || text.startsWith('-') || /^(git\+|https?:|file:|\.|\/)/.test(text))
    return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(?:;\s*(.*))?$/.exec(text);
  if (!m) return undefined;
  return {
    name: normalizeName(m[1]!),
    extras: m[2]
      ? m[2]
          .slice(1, -1)
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
      : [],
    specifier: (m[3] ?? '').replace(/\s+/g, ''),
    marker: (m[4] ?? '').trim(),
    raw: text,
  };
}

/** Requirements of a requirements*.txt (with `-r other.txt` includes resolved through `read`). */
export function parseRequirementsTxt(
  text: string,
  read: (path: string) => string | undefined = () => undefined,
  seen = new Set<string>(),
): { requirements: Requirement[]; editableSelf: boolean } {
  const requirements: Requirement[] = [];
  let editableSelf = false;
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split(/\r?\n/)) {
    const t = line.trim();
    const include = /^(?:-r|--requirement)\s+(\S+)/.exec(t);
    if (include && !seen.has(include[1]!)) {
      seen.add(include[1]!);
      const nested = read(include[1]!);
      if (nested) requirements.push(...parseRequirementsTxt(nested, read, seen).requirements);
      continue;
    }
    if (/^(-e|--editable)\s+\.(\[.*\])?$/.test(t) || t === '.') {
      editableSelf = true;
      continue;
    }
    const r = parseRequirement(t);
    if (r) requirements.push(r);
  }
  return { requirements, editableSelf };
}
