import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type EnvProvenance, LOG_FILES } from '@repoforge/harness';

/** One instance row of the HTML report. */
export interface ReportRow {
  instance_id: string;
  repo: string;
  model: string;
  status: 'resolved' | 'unresolved' | 'not applied' | 'error';
  f2p: { success: number; failure: number };
  p2p: { success: number; failure: number };
  durationMs?: number;
  difficulty?: number;
  /** Where its environment came from and, for a planned one, how the repair ladder obtained it. */
  environment?: EnvProvenance;
  logDir: string;
}

/** Everything the report shows. */
export interface ReportData {
  runId: string;
  rows: ReportRow[];
  storage?: Record<string, unknown>;
  generatedAt: string;
}

const repoOf = (id: string) => id.replace(/-[^-]+$/, '').replace('__', '/');

/** Reads a run's per-instance files (SWE-bench layout), plus optional labels and storage figures. */
export async function loadReportData(
  reportDir: string,
  runId: string,
  extra: { labels?: Map<string, number>; storage?: Record<string, unknown> } = {},
): Promise<ReportData> {
  const root = join(reportDir, 'logs', 'run_evaluation', runId);
  if (!existsSync(root)) throw new Error(`no run ${runId} under ${reportDir} (expected ${root})`);
  const rows: ReportRow[] = [];
  for (const model of await readdir(root)) {
    for (const id of await readdir(join(root, model))) {
      const dir = join(root, model, id);
      let status: ReportRow['status'] = 'error';
      let f2p = { success: 0, failure: 0 };
      let p2p = { success: 0, failure: 0 };
      try {
        const r = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))[id];
        status = r.resolved ? 'resolved' : r.patch_successfully_applied ? 'unresolved' : 'not applied';
        const t = r.tests_status;
        if (t) {
          f2p = { success: t.FAIL_TO_PASS.success.length, failure: t.FAIL_TO_PASS.failure.length };
          p2p = { success: t.PASS_TO_PASS.success.length, failure: t.PASS_TO_PASS.failure.length };
        }
      } catch {}
      let durationMs: number | undefined;
      try {
        durationMs = JSON.parse(await readFile(join(dir, 'timings.json'), 'utf8')).total_ms;
      } catch {}
      let environment: EnvProvenance | undefined;
      try {
        environment = JSON.parse(await readFile(join(dir, LOG_FILES.environment), 'utf8'));
      } catch {}
      rows.push({
        instance_id: id,
        repo: repoOf(id),
        model,
        status,
        f2p,
        p2p,
        durationMs,
        difficulty: extra.labels?.get(id),
        environment,
        logDir: dir,
      });
    }
  }
  rows.sort((a, b) => (a.instance_id < b.instance_id ? -1 : 1));
  return { runId, rows, storage: extra.storage, generatedAt: new Date().toISOString() };
}
