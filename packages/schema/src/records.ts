import type { z } from 'zod';
import { RecordError, type RecordIssue, type RecordLocation } from './errors.js';
import { jsonSyntaxLine, lineAt } from './json-document.js';
import { formatZodPath } from './zod-path.js';

export { formatZodPath };

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

function zodIssues(error: z.ZodError, where: RecordLocation): RecordIssue[] {
  return error.issues.map((i) => ({ ...where, path: formatZodPath(i.path), message: i.message }));
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
  const line = lineBase + jsonSyntaxLine(text, error);
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
  let lineNo = 0;
  let index = 0;
  const fail = (issues: RecordIssue[]): void => {
    if ((options.onError ?? 'throw') === 'throw') throw new RecordError(issues);
    options.issues?.push(...issues);
  };
  const handle = function* (line: string | Uint8Array) {
    lineNo++;
    const text = typeof line === 'string' ? line : decodeUtf8Line(line);
    if (text === undefined) {
      fail([{ source, line: lineNo, index: index++, path: '', message: INVALID_UTF8 }]);
      return;
    }
    if (text.trim() === '') return;
    const where = { source, line: lineNo, index: index++ };
    let record: unknown;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success) return fail(zodIssues(parsed.error, where));
      record = parsed.data;
    } catch (error) {
      return fail([{ ...jsonSyntaxIssue(text, source, error, lineNo - 1), index: where.index }]);
    }
    yield { record: record as z.output<S>, location: where };
  };
  // Bytes are split on newlines before decoding, so an invalid UTF-8 sequence is pinned to its own line.
  let pendingText = '';
  let pendingBytes: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    options.signal?.throwIfAborted();
    if (typeof chunk === 'string') {
      pendingText += chunk;
      let nl = pendingText.indexOf('\n');
      while (nl >= 0) {
        yield* handle(pendingText.slice(0, nl));
        pendingText = pendingText.slice(nl + 1);
        nl = pendingText.indexOf('\n');
      }
      continue;
    }
    pendingBytes = pendingBytes.length ? concatBytes(pendingBytes, chunk) : chunk;
    let start = 0;
    let nl = pendingBytes.indexOf(10, start);
    while (nl >= 0) {
      yield* handle(pendingBytes.subarray(start, nl));
      start = nl + 1;
      nl = pendingBytes.indexOf(10, start);
    }
    pendingBytes = pendingBytes.slice(start);
  }
  if (pendingText !== '') yield* handle(pendingText);
  if (pendingBytes.length) yield* handle(pendingBytes);
}

/** The message of a line that is not UTF-8. */
const INVALID_UTF8 = 'invalid UTF-8 (the file must be UTF-8 text)';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A line's bytes as text, or undefined when they are not valid UTF-8 (never silently replaced). */
function decodeUtf8Line(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Bytes of a whole file as UTF-8 text; invalid UTF-8 throws a RecordError naming `source` and the first bad
 * line (a patch with replaced bytes would no longer apply, so nothing is decoded lossily).
 */
export function decodeUtf8File(bytes: Uint8Array, source: string): string {
  const text = decodeUtf8Line(bytes);
  if (text !== undefined) return text;
  let line = 1;
  let start = 0;
  for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
    if (decodeUtf8Line(bytes.subarray(start, nl)) === undefined) break;
    start = nl + 1;
    line++;
  }
  throw new RecordError([{ source, line, index: -1, path: '', message: INVALID_UTF8 }]);
}

/** Serializes records as JSONL (one `JSON.stringify` line each, trailing newline). */
export function formatJsonl(records: Iterable<unknown>): string {
  let out = '';
  for (const r of records) out += `${JSON.stringify(r)}\n`;
  return out;
}
