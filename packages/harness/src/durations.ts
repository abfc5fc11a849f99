import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile } from '@repoforge/schema/node';
import { z } from 'zod';
import { LOG_FILES } from './paths.js';

const Timings = z.object({ total_ms: z.number().optional() });

/**
 * Expected duration per instance from earlier runs under `reportDir` (the longest `total_ms` any run
 * recorded), for scheduling the longest instances first.
 */
export async function previousDurations(reportDir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const root = join(reportDir, 'logs', 'run_evaluation');
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  for (const run of await list(root)) {
    for (const model of await list(join(root, run))) {
      for (const id of await list(join(root, run, model))) {
        const file = join(root, run, model, id, LOG_FILES.timings);
        // A run that died before writing its timings, or an older layout: no expectation for that instance.
        const t = await readJsonFile(file, Timings).catch(() => undefined);
        if (t?.total_ms !== undefined) out.set(id, Math.max(out.get(id) ?? 0, t.total_ms));
      }
    }
  }
  return out;
}
