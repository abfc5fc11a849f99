import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  decodeUtf8File,
  EnvSpecMap,
  formatZodPath,
  Instance,
  instanceFromMultiSweBench,
  MultiSweBenchRow,
  Prediction,
  parseRecords,
  RecordError,
  TestStatusMap,
} from '@repoforge/schema';
import { readJsonFile, readRecordsFile } from '@repoforge/schema/node';
import { HarnessError } from './errors.js';
import { registerLogParser } from './parsers/registry.js';

/**
 * Reads a dataset (SWE-bench JSON/JSONL, Multilingual, or Multi-SWE-bench rows, detected by their fields).
 * A bad row throws a RecordError naming the file, the line and the field.
 */
export async function loadDataset(path: string, options: { signal?: AbortSignal } = {}): Promise<Instance[]> {
  const text = decodeUtf8File(await readFile(path, { signal: options.signal }), path);
  const read = { source: path, signal: options.signal };
  if (!isMultiSweBench(text)) return parseRecords(text, Instance, read).records;
  const { records, locations } = parseRecords(text, MultiSweBenchRow, read);
  return records.map((row, i) => {
    const parsed = Instance.safeParse(instanceFromMultiSweBench(row));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new RecordError([
      { ...locations[i]!, path: formatZodPath(issue.path), message: `${issue.message} (as a SWE-bench row)` },
    ]);
  });
}

/**
 * Whether a dataset's first row is Multi-SWE-bench's (it has `fix_patch` and `f2p_tests`). The first JSONL
 * row is parsed whole: a patch can push the test fields past any fixed window of text.
 */
function isMultiSweBench(text: string): boolean {
  const first = text.slice(0, text.indexOf('\n') >>> 0).trim();
  try {
    const row = JSON.parse(first);
    if (row && typeof row === 'object' && !Array.isArray(row))
      return 'fix_patch' in row && 'f2p_tests' in row;
  } catch {
    // not JSONL (a JSON array or object): look at its text
  }
  return /"fix_patch"\s*:/.test(text) && /"f2p_tests"\s*:/.test(text);
}

/**
 * Reads predictions: a JSON list, a JSON object keyed by instance id, or JSONL. With `oneModel` (one
 * evaluation run grades one model), a row naming another model than the first is an error at its line.
 */
export async function loadPredictions(
  path: string,
  options: { signal?: AbortSignal; oneModel?: boolean } = {},
): Promise<Prediction[]> {
  const { records, locations } = await readRecordsFile(path, Prediction, {
    ...options,
    keyedBy: 'instance_id',
  });
  const model = records[0]?.model_name_or_path;
  const other = options.oneModel ? records.findIndex((p) => p.model_name_or_path !== model) : -1;
  if (other >= 0)
    throw new RecordError([
      {
        ...locations[other]!,
        path: 'model_name_or_path',
        message: `${JSON.stringify(shorten(records[other]!.model_name_or_path))} is not ${JSON.stringify(shorten(model!))} (line ${locations[0]!.line}): one run evaluates one model`,
      },
    ]);
  return records;
}

/** A value short enough to quote in a one-line error. */
export function shorten(value: string, max = 60): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}

/** Reads an environment spec map; errors name the file, the line and the field. */
export async function loadEnvSpecs(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<EnvSpecMap> {
  const specs = await readJsonFile(path, EnvSpecMap, options);
  for (const [repo, versions] of Object.entries(specs))
    for (const [version, spec] of Object.entries(versions))
      if (spec.log_parser && /\.(m?js|cjs)$/.test(spec.log_parser))
        spec.log_parser = await loadParserModule(path, `${repo}.${version}.log_parser`, spec.log_parser);
  return specs;
}

/**
 * A parser module named by an env spec (`"log_parser": "./parsers/mine.mjs"`, relative to the spec file): its
 * default export (or `parse`) takes the log and returns `{ test: status }`. Registered under its absolute
 * path; what it returns is validated each time, so a bad parser is an error naming it, not a bad verdict.
 */
async function loadParserModule(specPath: string, field: string, file: string): Promise<string> {
  const abs = resolve(dirname(specPath), file);
  const fail = (why: string, cause?: unknown) =>
    new HarnessError('ENV_SPEC_INVALID', `${specPath}: ${field}: ${why}`, { cause });
  let mod: { default?: unknown; parse?: unknown };
  try {
    mod = await import(pathToFileURL(abs).href);
  } catch (error) {
    throw fail(`cannot load ${abs}: ${(error as Error).message}`, error);
  }
  const fn = typeof mod.default === 'function' ? mod.default : mod.parse;
  if (typeof fn !== 'function') throw fail(`${abs} exports no parser function (default or parse)`);
  registerLogParser(abs, (log, context) => {
    const out = TestStatusMap.safeParse(fn(log, context));
    if (!out.success)
      throw fail(`${abs} returned something that is not { test: status }: ${out.error.issues[0]?.message}`);
    return out.data;
  });
  return abs;
}
