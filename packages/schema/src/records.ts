import type { z } from 'zod';
import { RecordError, type RecordIssue, type RecordLocation } from './errors.js';

/** How to read a file of records. */
export interface ParseRecordsOptions {
  /** Name shown in errors (a file path, or a label for a stream). */
  source?: string;
  /** `throw` (default): stop at the first bad record. `collect`: skip it, report it in `issues`, go on. */
  onError?: 'throw' | 'collect';
  /**
   * For a top-level JSON object keyed by id (`{"id": {...}}`): the field the key fills in when a value
   * lacks it, e.g. `instance_id` for SWE-bench predictions. Without it a top-level object is one record.
   */
  keyedBy?: string;
  signal?: AbortSignal;
}

/** Valid records with where each came from, and the issues of the bad ones (when collecting). */
export interface ParseRecordsResult<T> {
  records: T[];
  locations: RecordLocation[];
  issues: RecordIssue[];
}

/** Formats a zod path as `a.b[2].c`. */
export function formatZodPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function zodIssues(error: z.ZodError, where: RecordLocation): RecordIssue[] {
  return error.issues.map((i) => ({ ...where, path: formatZodPath(i.path), message: i.message }));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Start offsets of the top-level elements of a JSON array or the values of a JSON object. */
function topLevelOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let topIsArray = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
    if (depth === 1 && expectValue) {
      offsets.push(i);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth === 0) {
        topIsArray = c === '[';
        expectValue = topIsArray;
      }
      depth++;
    } else if (c === ']' || c === '}') depth--;
    else if (depth === 1 && c === (topIsArray ? ',' : ':')) expectValue = true;
  }
  return offsets;
}

function jsonSyntaxIssue(text: string, source: string, error: unknown, lineBase = 0): RecordIssue {
  const message = error instanceof Error ? error.message : String(error);
  const pos = /position (\d+)/.exec(message);
  const line = lineBase + (pos ? lineAt(text, Number(pos[1])) : 1);
  return { source, line, index: -1, path: '', message: `invalid JSON: ${message}` };
}

function looksLikeJsonl(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    JSON.parse(lines[0]!);
    return true;
  } catch {
    return false;
  }
}

class Collector<S extends z.ZodType> {
  readonly result: ParseRecordsResult<z.output<S>> = { records: [], locations: [], issues: [] };
  constructor(
    private readonly schema: S,
    private readonly options: ParseRecordsOptions,
  ) {}

  fail(issues: RecordIssue[]): void {
    if ((this.options.onError ?? 'throw') === 'throw') throw new RecordError(issues);
    this.result.issues.push(...issues);
  }

  add(value: unknown, where: RecordLocation): void {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) {
      this.result.records.push(parsed.data);
      this.result.locations.push(where);
    } else this.fail(zodIssues(parsed.error, where));
  }
}

function parseJsonlInto<S extends z.ZodType>(
  collector: Collector<S>,
  lines: Iterable<string>,
  source: string,
  signal?: AbortSignal,
): void {
  let lineNo = 0;
  let index = 0;
  for (const raw of lines) {
    lineNo++;
    if (raw.trim() === '') continue;
    signal?.throwIfAborted();
    const where = { source, line: lineNo, index: index++ };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      collector.fail([{ ...jsonSyntaxIssue(raw, source, error, lineNo - 1), index: where.index }]);
      continue;
    }
    collector.add(value, where);
  }
}

/**
 * Parses records from JSON (an array, one object, or an object keyed by id) or JSONL text, validating each
 * with `schema`. Errors name the source, the 1-based line and the zod path of the bad field.
 */
export function parseRecords<S extends z.ZodType>(
  text: string,
  schema: S,
  options: ParseRecordsOptions = {},
): ParseRecordsResult<z.output<S>> {
  const source = options.source ?? '<input>';
  const collector = new Collector(schema, options);
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first !== '[' && !(first === '{' && !looksLikeJsonl(body))) {
    parseJsonlInto(collector, body.split('\n'), source, options.signal);
    return collector.result;
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    collector.fail([jsonSyntaxIssue(body, source, error)]);
    return collector.result;
  }
  const offsets = topLevelOffsets(body);
  const at = (i: number): RecordLocation => ({ source, index: i, line: lineAt(body, offsets[i] ?? 0) });
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      options.signal?.throwIfAborted();
      collector.add(v, at(i));
    });
  } else if (options.keyedBy && value && typeof value === 'object') {
    Object.entries(value as Record<string, unknown>).forEach(([key, v], i) => {
      const filled = v && typeof v === 'object' && !Array.isArray(v) ? { [options.keyedBy!]: key, ...v } : v;
      collector.add(filled, at(i));
    });
  } else collector.add(value, { source, index: 0, line: 1 });
  return collector.result;
}

/**
 * Streams JSONL records from any async iterable of text or bytes (a `fs.ReadStream`, a fetch body, ...),
 * yielding each valid record with its location. Bad rows throw or are collected per `onError`.
 */
export async function* streamJsonlRecords<S extends z.ZodType>(
  chunks: AsyncIterable<string | Uint8Array>,
  schema: S,
  options: ParseRecordsOptions & { issues?: RecordIssue[] } = {},
): AsyncGenerator<{ record: z.output<S>; location: RecordLocation }> {
  const source = options.source ?? '<stream>';
  const decoder = new TextDecoder();
  let pending = '';
  let lineNo = 0;
  let index = 0;
  const handle = function* (line: string) {
    lineNo++;
    if (line.trim() === '') return;
    const where = { source, line: lineNo, index: index++ };
    let issues: RecordIssue[] | undefined;
    let record: unknown;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) record = parsed.data;
      else issues = zodIssues(parsed.error, where);
    } catch (error) {
      issues = [{ ...jsonSyntaxIssue(line, source, error, lineNo - 1), index: where.index }];
    }
    if (issues) {
      if ((options.onError ?? 'throw') === 'throw') throw new RecordError(issues);
      options.issues?.push(...issues);
      return;
    }
    yield { record: record as z.output<S>, location: where };
  };
  for await (const chunk of chunks) {
    options.signal?.throwIfAborted();
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      yield* handle(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield* handle(pending);
}

/** Serializes records as JSONL (one `JSON.stringify` line each, trailing newline). */
export function formatJsonl(records: Iterable<unknown>): string {
  let out = '';
  for (const r of records) out += `${JSON.stringify(r)}\n`;
  return out;
}
