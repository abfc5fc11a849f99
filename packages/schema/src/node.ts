/**
 * `@repoforge/schema/node`: the file-system side of the schema package (Node only). The main entry stays
 * free of IO; this one reads record files and writes files atomically.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import type { RecordIssue } from './errors.js';
import { parseJsonDocument } from './json-document.js';
import {
  decodeUtf8File,
  type ParseRecordsOptions,
  type ParseRecordsResult,
  parseRecords,
  streamJsonlRecords,
} from './records.js';

/** Reads a JSON or JSONL file of records; errors name this file, the line and the field. */
export async function readRecordsFile<S extends z.ZodType>(
  path: string,
  schema: S,
  options: Omit<ParseRecordsOptions, 'source'> = {},
): Promise<ParseRecordsResult<z.output<S>>> {
  const text = decodeUtf8File(await readFile(path, { signal: options.signal }), path);
  return parseRecords(text, schema, { ...options, source: path });
}

/**
 * Reads one JSON document (an env-spec map, a config, a resume state) validated by `schema`; bad input is a
 * RecordError naming the file, the line and the field.
 */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
  options: { signal?: AbortSignal } = {},
): Promise<z.output<S>> {
  const text = decodeUtf8File(await readFile(path, { signal: options.signal }), path);
  return parseJsonDocument(text, schema, { source: path });
}

/** Streams a JSONL file record by record (constant memory for large datasets). */
export function streamJsonlFile<S extends z.ZodType>(
  path: string,
  schema: S,
  options: Omit<ParseRecordsOptions, 'source'> & { issues?: RecordIssue[] } = {},
) {
  return streamJsonlRecords(createReadStream(path, { signal: options.signal }), schema, {
    ...options,
    source: path,
  });
}

let counter = 0;

/**
 * Writes `data` to `path` atomically: a temp file in the same directory, fsync, then rename. A crash leaves
 * either the old file or the new one, never half of either.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  options.signal?.throwIfAborted();
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export { acquireRunLock, type RunLock } from './run-lock.js';
