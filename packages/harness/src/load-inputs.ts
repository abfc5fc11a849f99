import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  formatZodPath,
  Instance,
  instanceFromMultiSweBench,
  MultiSweBenchRow,
  Prediction,
  RecordError,
  type RecordIssue,
  TestStatusMap,
} from '@repoforge/schema';
import { readRecordsFile } from '@repoforge/schema/node';
import { EnvSpecMap } from './env-spec.js';
import { HarnessError } from './errors.js';
import { registerLogParser } from './parsers/registry.js';

/**
 * Reads a dataset (SWE-bench JSON/JSONL, Multilingual, or Multi-SWE-bench rows, detected by their fields).
 * A bad row throws a RecordError naming the file, the line and the field.
 */
export async function loadDataset(path: string, options: { signal?: AbortSignal } = {}): Promise<Instance[]> {
  if (isMultiSweBench(await readFile(path, { encoding: 'utf8', signal: options.signal }))) {
    const { records } = await readRecordsFile(path, MultiSweBenchRow, options);
    return records.map((r) => Instance.parse(instanceFromMultiSweBench(r)));
  }
  return (await readRecordsFile(path, Instance, options)).records;
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

/** Reads predictions: a JSON list, a JSON object keyed by instance id, or JSONL. */
export async function loadPredictions(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<Prediction[]> {
  return (await readRecordsFile(path, Prediction, { ...options, keyedBy: 'instance_id' })).records;
}

/** Reads an environment spec map; errors name the file and the field. */
export async function loadEnvSpecs(path: string): Promise<EnvSpecMap> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new HarnessError('ENV_SPEC_INVALID', `${path}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = EnvSpecMap.safeParse(value);
  if (!parsed.success) {
    const issues: RecordIssue[] = parsed.error.issues.map((i) => ({
      source: path,
      line: 1,
      index: 0,
      path: formatZodPath(i.path),
      message: i.message,
    }));
    throw new RecordError(issues);
  }
  for (const [repo, versions] of Object.entries(parsed.data))
    for (const [version, spec] of Object.entries(versions))
      if (spec.log_parser && /\.(m?js|cjs)$/.test(spec.log_parser))
        spec.log_parser = await loadParserModule(path, `${repo}.${version}.log_parser`, spec.log_parser);
  return parsed.data;
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
