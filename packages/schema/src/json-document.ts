import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import type { z } from 'zod';
import { RecordError, type RecordIssue } from './errors.js';
import { formatZodPath } from './zod-path.js';

/** The 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The 1-based line of a JSON syntax error from JSON.parse's message: its `position N` where V8 gives one, the
 * last line for a truncated document ("Unexpected end of JSON input"), else line 1.
 */
export function jsonSyntaxLine(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /position (\d+)/.exec(message);
  if (pos) return lineAt(text, Number(pos[1]));
  if (/end of JSON input/i.test(message)) return lineAt(text.trimEnd(), text.trimEnd().length);
  return 1;
}

/**
 * The line where the value at a zod path starts in `text` (a missing key: the line of the nearest object that
 * holds the path), so an error in a nested field of a hand-written file points at that field.
 */
function lineOfPath(text: string, root: Node | undefined, path: readonly PropertyKey[]): number {
  if (!root) return 1;
  const segments = path.map((p) => (typeof p === 'number' ? p : String(p)));
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (node) return lineAt(text, node.parent?.type === 'property' ? node.parent.offset : node.offset);
  }
  return 1;
}

/**
 * Parses one JSON document (an env-spec map, a config file, a resume state) and validates it with `schema`.
 * Bad input throws a RecordError naming `source`, the line and the field — never a bare SyntaxError.
 */
export function parseJsonDocument<S extends z.ZodType>(
  text: string,
  schema: S,
  options: { source?: string } = {},
): z.output<S> {
  const source = options.source ?? '<input>';
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const message = `invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
    throw new RecordError([{ source, line: jsonSyntaxLine(body, error), index: 0, path: '', message }], {
      cause: error,
    });
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const root = parseTree(body);
  const issues: RecordIssue[] = parsed.error.issues.map((i) => {
    // An unknown key is an issue of its object: point at the key itself.
    const path = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]!] : i.path;
    return {
      source,
      line: lineOfPath(body, root, path),
      index: 0,
      path: formatZodPath(path),
      message: i.message,
    };
  });
  throw new RecordError(issues);
}
