import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readJsonFile, readRecordsFile, writeFileAtomic } from '@repoforge/schema/node';
import { SpiceLabels } from '@repoforge/spice';
import { z } from 'zod';
import { type Command, UsageError } from '../command.js';
import { loadReportData } from '../report/data.js';
import { renderReport } from '../report/html.js';

/** `storage report --json` figures: an object, shown as it is. */
const StorageFigures = z.record(z.string(), z.unknown());

/** Writes the HTML report of a run; returns its path. */
export async function writeHtmlReport(options: {
  reportDir: string;
  runId: string;
  out: string;
  labels?: string;
  storage?: string;
}): Promise<string> {
  const labels = new Map<string, number>();
  if (options.labels && existsSync(options.labels)) {
    const rows = await readRecordsFile(options.labels, SpiceLabels);
    for (const l of rows.records) labels.set(l.instance_id, l.difficulty);
  }
  const storage =
    options.storage && existsSync(options.storage)
      ? await readJsonFile(options.storage, StorageFigures)
      : undefined;
  const data = await loadReportData(options.reportDir, options.runId, { labels, storage });
  await writeFileAtomic(options.out, renderReport(data, dirname(options.out)));
  return options.out;
}

/** `repoforge report` */
export const reportCommand: Command = {
  name: 'report',
  summary: 'one self-contained HTML report of a run: rates, sortable table, charts, storage',
  usage: 'repoforge report --run-id ID [--out report.html] [--report-dir D] [--labels L] [--storage S]',
  examples: [
    'repoforge report --run-id try1 --out try1.html',
    'repoforge report --run-id demo-gold --labels labels.jsonl --storage storage.json',
  ],
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run' },
    out: { type: 'string', value: 'FILE', description: 'HTML file', default: 'report.html' },
    'report-dir': { type: 'string', value: 'DIR', description: 'where the run wrote logs/', default: '.' },
    labels: {
      type: 'string',
      value: 'FILE',
      description: "SPICE labels (difficulty charts), from 'spice label'",
    },
    storage: {
      type: 'string',
      value: 'FILE',
      description: "storage figures JSON, from 'storage report --json'",
    },
  },
  async run({ io, values, json }) {
    const runId = values['run-id'];
    if (typeof runId !== 'string') throw new UsageError('--run-id is required');
    const out = await writeHtmlReport({
      reportDir: resolve(io.cwd, String(values['report-dir'])),
      runId,
      out: resolve(io.cwd, String(values.out)),
      labels: values.labels ? resolve(io.cwd, String(values.labels)) : undefined,
      storage: values.storage ? resolve(io.cwd, String(values.storage)) : undefined,
    }).catch((error: Error) => {
      throw new UsageError(error.message);
    });
    io.stdout.write(json ? `${JSON.stringify({ out })}\n` : `report written to ${out}\n`);
    return 0;
  },
};
