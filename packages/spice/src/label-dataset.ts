import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { formatJsonl, parseRecords } from '@repoforge/schema';
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
    /** Called once, with how many instances are left to label after the resumed ones. */
    onStart?: (todo: number) => void;
    onLabel?: (row: SpiceLabelsType, left: number) => void;
    signal?: AbortSignal;
  },
): Promise<{ rows: SpiceLabelsType[]; labelled: number }> {
  const rows = existsSync(options.out)
    ? parseRecords(await readFile(options.out, 'utf8'), SpiceLabels, { source: options.out }).records
    : [];
  const done = new Set(rows.map((r) => r.instance_id));
  const todo = dataset.filter((i) => !done.has(i.instance_id));
  options.onStart?.(todo.length);
  for (const [n, instance] of todo.entries()) {
    options.signal?.throwIfAborted();
    const row = await options.label(instance, options.signal);
    rows.push(row);
    await writeFileAtomic(options.out, formatJsonl(rows));
    options.onLabel?.(row, todo.length - n - 1);
  }
  return { rows, labelled: todo.length };
}
