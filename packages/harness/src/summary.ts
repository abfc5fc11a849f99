import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Instance, isEmptyPatch, type Prediction, type RunSummary } from '@repoforge/schema';
import { instanceLogDir, LOG_FILES } from './paths.js';

/** Reads an instance's report.json: `resolved` when valid, `undefined` when absent, `error` when broken. */
export async function readReportVerdict(
  dir: string,
  instanceId: string,
): Promise<boolean | 'error' | undefined> {
  let text: string;
  try {
    text = (await readFile(join(dir, LOG_FILES.report), 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!text) return 'error';
  try {
    const resolved = JSON.parse(text)[instanceId]?.resolved;
    return typeof resolved === 'boolean' ? resolved : 'error';
  } catch {
    return 'error';
  }
}

const sorted = (s: Set<string>) => [...s].sort();

/**
 * SWE-bench's `make_run_report`, from the report.json files on disk: completed = has a report, resolved per
 * its verdict, error = run but no valid report, empty_patch = "" or null patch, incomplete = no prediction.
 */
export async function makeRunSummary(input: {
  dataset: readonly Instance[];
  predictions: ReadonlyMap<string, Prediction>;
  reportDir: string;
  runId: string;
}): Promise<RunSummary> {
  const completed = new Set<string>();
  const resolved = new Set<string>();
  const unresolved = new Set<string>();
  const errors = new Set<string>();
  const incomplete = new Set<string>();
  const empty = new Set<string>();
  for (const inst of input.dataset) {
    const id = inst.instance_id;
    const pred = input.predictions.get(id);
    if (!pred) {
      incomplete.add(id);
      continue;
    }
    if (isEmptyPatch(pred)) {
      empty.add(id);
      continue;
    }
    const verdict = await readReportVerdict(
      instanceLogDir(input.reportDir, input.runId, pred.model_name_or_path, id),
      id,
    );
    if (verdict === undefined) errors.add(id);
    else {
      completed.add(id);
      if (verdict === 'error') errors.add(id);
      else (verdict ? resolved : unresolved).add(id);
    }
  }
  return {
    total_instances: input.dataset.length,
    submitted_instances: input.predictions.size,
    completed_instances: completed.size,
    resolved_instances: resolved.size,
    unresolved_instances: unresolved.size,
    empty_patch_instances: empty.size,
    error_instances: errors.size,
    completed_ids: sorted(completed),
    incomplete_ids: sorted(incomplete),
    empty_patch_ids: sorted(empty),
    submitted_ids: sorted(new Set(input.predictions.keys())),
    resolved_ids: sorted(resolved),
    unresolved_ids: sorted(unresolved),
    error_ids: sorted(errors),
    schema_version: 2,
  };
}
