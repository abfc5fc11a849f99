/**
 * Reads INI files the way Python's configparser does for setup.cfg / tox.ini / pytest.ini: sections, `key = value`
 * or `key: value`, indented continuation lines, `#`/`;` comments.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      if (raw.trim() === '') lastKey = lastKey && current?.get(lastKey) !== undefined ? lastKey : undefined;
      continue;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      current = new Map();
      sections.set(section[1]!.trim(), current);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && lastKey && current) {
      current.set(lastKey, `${current.get(lastKey)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = kv[1]!.trim().toLowerCase();
      current.set(lastKey, kv[2]!.trim());
    }
  }
  return sections;
}

/** A configparser list value (one per line, or `;`/`,`-free dangling) as items, comments dropped. */
export function iniList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
}
