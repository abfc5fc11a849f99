import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_FILES } from './paths.js';

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
        try {
          const t = JSON.parse(await readFile(join(root, run, model, id, LOG_FILES.timings), 'utf8')) as {
            total_ms?: number;
          };
          if (typeof t.total_ms === 'number') out.set(id, Math.max(out.get(id) ?? 0, t.total_ms));
        } catch {}
      }
    }
  }
  return out;
}
