import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { formatJsonl, type OnProgress, parseRecords } from '@repoforge/schema';
import { writeFileAtomic } from '@repoforge/schema/node';
import type { FeatureInput } from './features.js';
import { SpiceLabels, type SpiceLabels as SpiceLabelsType } from './labels.js';

/** What labelling needs of an instance (an SWE-bench row). */
export type LabelInput = FeatureInput & { instance_id: string };

/**
 * Labels a dataset into a JSONL file, resumably: rows already in `out` (validated) are kept and their
 * instances skipped, and the file is rewritten atomically after every new row, so an interrupted run loses
 * at most the instance in flight and a rerun continues where it stopped.
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
): Promise<{ rows: SpiceLabelsType[]; labelled: number }> {
  const rows = existsSync(options.out)
    ? parseRecords(await readFile(options.out, 'utf8'), SpiceLabels, { source: options.out }).records
    : [];
  const done = new Set(rows.map((r) => r.instance_id));
  const todo = dataset.filter((i) => !done.has(i.instance_id));
  options.onProgress?.({ type: 'start', total: todo.length, skipped: rows.length });
  for (const [n, instance] of todo.entries()) {
    options.signal?.throwIfAborted();
    const row = await options.label(instance, options.signal);
    rows.push(row);
    await writeFileAtomic(options.out, formatJsonl(rows));
    options.onProgress?.({ type: 'done', id: row.instance_id, result: row, done: n + 1, total: todo.length });
  }
  return { rows, labelled: todo.length };
}
