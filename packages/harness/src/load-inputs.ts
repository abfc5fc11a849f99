import { readFile } from 'node:fs/promises';
import {
  formatZodPath,
  Instance,
  instanceFromMultiSweBench,
  MultiSweBenchRow,
  Prediction,
  RecordError,
  type RecordIssue,
} from '@repoforge/schema';
import { readRecordsFile } from '@repoforge/schema/node';
import { EnvSpecMap } from './env-spec.js';
import { HarnessError } from './errors.js';

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
  return parsed.data;
}
