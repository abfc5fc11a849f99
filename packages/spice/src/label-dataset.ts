import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { formatJsonl, type OnProgress, parseRecords } from '@repoforge/schema';
import { writeFileAtomic } from '@repoforge/schema/node';
import type { FeatureInput } from './features.js';
import { SpiceError, SpiceLabels, type SpiceLabels as SpiceLabelsType } from './labels.js';

/** What labelling needs of an instance (an SWE-bench row). */
export type LabelInput = FeatureInput & { instance_id: string };

/** An instance that got no label this run (too few usable votes), and what its attempts cost. */
export interface LabelFailure {
  instance_id: string;
  code: string;
  message: string;
  cost_usd: number;
}

/**
 * Labels a dataset into a JSONL file, resumably: rows already in `out` (validated) are kept and their
 * instances skipped, and the file is rewritten atomically after every new row, so an interrupted run loses
 * at most the instance in flight and a rerun continues where it stopped. An instance whose model answers gave
 * too few votes (`NOT_ENOUGH_VOTES`) is listed in `failed` with its cost and the run goes on; a rerun tries it
 * again. Any other error (HTTP, abort) ends the run, with every row so far kept.
 */
export async function labelDataset<I extends LabelInput>(
  dataset: readonly I[],
  options: {
    out: string;
    label: (instance: I, signal?: AbortSignal) => Promise<SpiceLabelsType>;
    /** `start` with the instances left after the resumed ones (`skipped`), `done` with each new row. */
    onProgress?: OnProgress<SpiceLabelsType>;
    signal?: AbortSignal;
  },
): Promise<{ rows: SpiceLabelsType[]; labelled: number; failed: LabelFailure[] }> {
  const rows = existsSync(options.out)
    ? parseRecords(await readFile(options.out, 'utf8'), SpiceLabels, { source: options.out }).records
    : [];
  const done = new Set(rows.map((r) => r.instance_id));
  const todo = dataset.filter((i) => !done.has(i.instance_id));
  options.onProgress?.({ type: 'start', total: todo.length, skipped: rows.length });
  const failed: LabelFailure[] = [];
  for (const [n, instance] of todo.entries()) {
    options.signal?.throwIfAborted();
    const row = await options.label(instance, options.signal).catch((error: unknown) => {
      if (!(error instanceof SpiceError && error.code === 'NOT_ENOUGH_VOTES')) throw error;
      failed.push({
        instance_id: instance.instance_id,
        code: error.code,
        message: error.message,
        cost_usd: error.costUsd,
      });
    });
    if (!row) continue;
    rows.push(row);
    await writeFileAtomic(options.out, formatJsonl(rows));
    options.onProgress?.({ type: 'done', id: row.instance_id, result: row, done: n + 1, total: todo.length });
  }
  return { rows, labelled: todo.length - failed.length, failed };
}
