import { structuredPatch } from 'diff';

/** Whether bytes look binary (a NUL in the first 8 KiB, as git decides). */
export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8000);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

function short(oid: string | undefined): string {
  return (oid ?? '0'.repeat(40)).slice(0, 7);
}

/**
 * One file's diff in git's format (`diff --git`, index line, modes, hunks with 3 lines of context, "\ No
 * newline at end of file"), which `git apply` accepts. `null` text means the file is absent on that side.
 */
export function gitFileDiff(input: {
  path: string;
  oldText: string | null;
  newText: string | null;
  oldOid?: string;
  newOid?: string;
  oldMode?: string;
  newMode?: string;
}): string {
  const { path, oldText, newText } = input;
  const header = [`diff --git a/${path} b/${path}`];
  const oldMode = input.oldMode ?? '100644';
  const newMode = input.newMode ?? '100644';
  if (oldText === null)
    header.push(`new file mode ${newMode}`, `index ${short(undefined)}..${short(input.newOid)}`);
  else if (newText === null)
    header.push(`deleted file mode ${oldMode}`, `index ${short(input.oldOid)}..${short(undefined)}`);
  else if (oldMode !== newMode)
    header.push(
      `old mode ${oldMode}`,
      `new mode ${newMode}`,
      `index ${short(input.oldOid)}..${short(input.newOid)}`,
    );
  else header.push(`index ${short(input.oldOid)}..${short(input.newOid)} ${oldMode}`);
  if ((oldText ?? '') === (newText ?? '') && oldText !== null && newText !== null)
    return `${header.join('\n')}\n`;
  const patch = structuredPatch(`a/${path}`, `b/${path}`, oldText ?? '', newText ?? '', '', '', {
    context: 3,
  });
  const lines = [
    ...header,
    `--- ${oldText === null ? '/dev/null' : `a/${path}`}`,
    `+++ ${newText === null ? '/dev/null' : `b/${path}`}`,
  ];
  for (const h of patch.hunks) {
    // git writes an empty side's range as "-0,0"; jsdiff agrees when a file is created or deleted.
    const range = (start: number, count: number) =>
      count === 1 ? `${start}` : `${count === 0 ? start : start},${count}`;
    lines.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    lines.push(...h.lines);
  }
  return `${lines.join('\n')}\n`;
}
