/** One hunk of a unified diff: where it starts on each side, its section heading, and its lines. */
export interface DiffHunk {
  oldStart: number;
  newStart: number;
  /** The text after the second `@@` (git's enclosing function or class), '' when none. */
  section: string;
  /** The hunk's lines with their ' ', '+' or '-' prefix. */
  lines: string[];
}

/** One file of a git diff, named by its `b/` side as SWE-bench names a patch's files. */
export interface DiffFile {
  path: string;
  hunks: DiffHunk[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/**
 * The one reader of git diffs (patches, test patches, agents' diffs). The `diff` package writes RepoForge's
 * diffs, but its parser drops hunk section headings and git's file names, which difficulty features and the
 * repo map read. Hunk lines are counted from the header, so content lines that look like `---`/`+++` headers
 * stay content. Pure.
 */
export function parseGitDiff(diff: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk: DiffHunk | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of diff.split('\n')) {
    if (hunk && (oldLeft > 0 || newLeft > 0)) {
      const tag = line[0];
      if (tag === '+' || tag === '-' || tag === ' ' || line === '') {
        hunk.lines.push(line === '' ? ' ' : line);
        if (tag !== '+') oldLeft--;
        if (tag !== '-') newLeft--;
        continue;
      }
      if (tag === '\\') continue; // "\ No newline at end of file"
    }
    if (line.startsWith('diff --git ')) {
      file = { path: line.split(' b/')[1] ?? '', hunks: [] };
      files.push(file);
      hunk = undefined;
      continue;
    }
    const m = HUNK.exec(line);
    if (m && file) {
      hunk = { oldStart: Number(m[1]), newStart: Number(m[3]), section: m[5]!.trim(), lines: [] };
      file.hunks.push(hunk);
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
    }
  }
  return files;
}
