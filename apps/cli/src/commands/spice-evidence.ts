import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset, readRunResults } from '@repoforge/harness';
import { readRecordsFile, writeFileAtomic } from '@repoforge/schema/node';
import {
  ALTERNATIVES_MODEL,
  AlternativeFix,
  alternativesRun,
  evidenceAgreement,
  executionEvidence,
  parseCsv,
} from '@repoforge/spice';
import { fileArg } from '../args.js';
import { type Command, UsageError } from '../command.js';

const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

const ALTERNATIVES_FILE = 'alternatives.jsonl';

export const alternativesCmd: Command = {
  name: 'alternatives',
  summary:
    'write the alternative fixes of a dataset (messages reworded, new definitions renamed) as a dataset + predictions for eval run',
  examples: [
    'repoforge spice alternatives --dataset verified.jsonl --out-dir alts',
    'repoforge eval run --dataset alts/dataset.jsonl --predictions alts/predictions.jsonl --run-id alts',
    'repoforge spice evidence --alternatives alts --run-id alts --out evidence.jsonl --annotations ann.csv',
  ],
  options: {
    dataset: { type: 'string', value: 'FILE', description: 'instances (JSON/JSONL)' },
    'out-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where dataset.jsonl, predictions.jsonl and alternatives.jsonl go',
    },
  },
  async run({ io, values, signal, json }) {
    if (typeof values['out-dir'] !== 'string') throw new UsageError('--out-dir is required');
    const dir = resolve(io.cwd, values['out-dir']);
    const instances = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const run = alternativesRun(instances);
    await writeFileAtomic(join(dir, 'dataset.jsonl'), jsonl(run.dataset), { signal });
    await writeFileAtomic(join(dir, 'predictions.jsonl'), jsonl(run.predictions), { signal });
    await writeFileAtomic(join(dir, ALTERNATIVES_FILE), jsonl(run.alternatives), { signal });
    const covered = new Set(run.alternatives.map((a) => a.instance_id)).size;
    const summary = { instances: instances.length, covered, runs: run.dataset.length, dir };
    io.stdout.write(
      json
        ? `${JSON.stringify(summary)}\n`
        : `${covered} of ${instances.length} instances have alternative fixes (${run.dataset.length} runs, controls included); written to ${dir}\n` +
            `next: repoforge eval run --dataset ${join(dir, 'dataset.jsonl')} --predictions ${join(dir, 'predictions.jsonl')} --run-id <ID>\n`,
    );
    return 0;
  },
};

export const evidenceCmd: Command = {
  name: 'evidence',
  summary:
    'test validity from execution: whether FAIL_TO_PASS tests reject the alternative fixes the reference passes (after eval run)',
  examples: [
    'repoforge spice evidence --alternatives alts --run-id alts --out evidence.jsonl --annotations ann.csv',
  ],
  options: {
    alternatives: { type: 'string', value: 'DIR', description: "the out-dir of 'spice alternatives'" },
    'run-id': { type: 'string', value: 'ID', description: 'the eval run of its dataset and predictions' },
    'report-dir': { type: 'string', value: 'DIR', description: "that run's --report-dir", default: '.' },
    out: { type: 'string', value: 'FILE', description: 'evidence JSONL' },
    annotations: {
      type: 'string',
      value: 'CSV',
      description: 'human annotations to compare with (optional)',
    },
  },
  async run({ io, values, signal, json }) {
    if (typeof values.out !== 'string') throw new UsageError('--out is required');
    if (typeof values['run-id'] !== 'string') throw new UsageError('--run-id is required');
    if (typeof values.alternatives !== 'string') throw new UsageError('--alternatives is required');
    const dir = resolve(io.cwd, values.alternatives);
    const alternatives = (await readRecordsFile(join(dir, ALTERNATIVES_FILE), AlternativeFix, { signal }))
      .records;
    const runs = (
      await readRunResults(resolve(io.cwd, String(values['report-dir'])), values['run-id'], { signal })
    ).filter((r) => r.model === ALTERNATIVES_MODEL);
    const evidence = executionEvidence(alternatives, runs);
    const outPath = resolve(io.cwd, values.out);
    await writeFileAtomic(outPath, jsonl(evidence), { signal });
    const annotations = values.annotations
      ? parseCsv(readFileSync(fileArg(values, 'annotations', io.cwd), 'utf8'))
      : undefined;
    const vsHumans = annotations && evidenceAgreement(evidence, annotations);
    const seconds = evidence.reduce((s, e) => s + e.seconds, 0);
    if (json)
      io.stdout.write(`${JSON.stringify({ evidence: evidence.length, seconds, vsHumans, out: outPath })}\n`);
    else {
      for (const e of evidence)
        io.stdout.write(
          `${e.instance_id}: ${e.outcome}${e.test_validity === null ? '' : ` (test_validity ${e.test_validity})`}${e.reason ? `: ${e.reason}` : ''}, ${e.seconds}s\n`,
        );
      if (vsHumans)
        io.stdout.write(
          `vs human false_negative: n=${vsHumans.n} of ${vsHumans.covered} with evidence, exact=${vsHumans.exact} (majority ${vsHumans.majorityBaseline}) within-one=${vsHumans.withinOne} confusion=${JSON.stringify(vsHumans.confusion)}\n`,
        );
      io.stdout.write(
        `evidence for ${evidence.length} instances, ${seconds.toFixed(0)}s of runs; written to ${outPath}\n`,
      );
    }
    return 0;
  },
};
