import { type RunResult, readRunResults } from '@repoforge/harness';

/** One instance row of the HTML report: the harness's result, with its difficulty label when there is one. */
interface ReportRow extends RunResult {
  difficulty?: number;
}

/** Everything the report shows. */
export interface ReportData {
  runId: string;
  rows: ReportRow[];
  storage?: Record<string, unknown>;
  generatedAt: string;
}

/** A run's results (read by the harness), with optional labels and storage figures. */
export async function loadReportData(
  reportDir: string,
  runId: string,
  extra: { labels?: Map<string, number>; storage?: Record<string, unknown> } = {},
): Promise<ReportData> {
  const rows = (await readRunResults(reportDir, runId)).map((r) => ({
    ...r,
    difficulty: extra.labels?.get(r.instance_id),
  }));
  return { runId, rows, storage: extra.storage, generatedAt: new Date().toISOString() };
}
