import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDataset, RepoCache } from '@repoforge/harness';
import { readRecordsFile, writeFileAtomic } from '@repoforge/schema/node';
import {
  type Agreement,
  annotationAgreement,
  DIFFICULTY_BUCKETS,
  fitOfflineModel,
  groupedCrossValidation,
  labelDataset,
  OfflineModel,
  parseCsv,
  SpiceLabels,
  spiceLabeler,
  trainingRows,
} from '@repoforge/spice';
import { fileArg, numberArg } from '../args.js';
import { type Command, type ParsedValues, UsageError } from '../command.js';
import { Progress } from '../progress.js';
import { alternativesCmd, evidenceCmd } from './spice-evidence.js';

const label: Command = {
  name: 'label',
  summary: 'label instances: issue clarity, test validity, difficulty (offline model; resumable)',
  examples: ['repoforge spice label --dataset instances.jsonl --offline --out labels.jsonl'],
  options: {
    dataset: { type: 'string', value: 'FILE', description: 'instances (JSON/JSONL)' },
    out: { type: 'string', value: 'FILE', description: 'labels JSONL (ids already there are skipped)' },
    offline: {
      type: 'boolean',
      description: 'use the offline model (the default when no LLM endpoint is configured)',
    },
    'offline-model': {
      type: 'string',
      value: 'FILE',
      description: "a model from 'spice fit' instead of the shipped one",
    },
    model: {
      type: 'string',
      value: 'NAME',
      description: 'LLM model (endpoint from $OPENAI_BASE_URL, key from $OPENAI_API_KEY)',
    },
    passes: { type: 'string', value: 'N', description: 'LLM passes per instance (consensus)', default: '3' },
    'repo-cache': {
      type: 'string',
      value: 'DIR',
      description: 'repos for code context (owner/name or owner__name)',
      default: '.repoforge/repos',
    },
    'llm-cache': {
      type: 'string',
      value: 'DIR',
      description: 'on-disk cache of LLM answers',
      default: '.repoforge/llm-cache',
    },
  },
  async run({ io, values, signal, json }) {
    const repos = new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])), clone: false });
    const out = values.out;
    if (typeof out !== 'string') throw new UsageError('--out is required');
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const outPath = resolve(io.cwd, out);
    const model = values['offline-model']
      ? (await readRecordsFile(fileArg(values, 'offline-model', io.cwd), OfflineModel)).records[0]
      : undefined;
    const labeler = spiceLabeler({
      offline: values.offline === true,
      model: values.model as string | undefined,
      env: io.env,
      llmCacheDir: resolve(io.cwd, String(values['llm-cache'])),
      offlineModel: model,
      passes: numberArg(values, 'passes', true),
      gitdirOf: async (repo) => (await repos.resolve(repo)).gitdir,
    });
    const progress = new Progress(io, 'spice', 0);
    const { rows, labelled, failed } = await labelDataset(dataset, {
      out: outPath,
      signal,
      label: labeler.label,
      onProgress: progress.listen((_, row) => `difficulty ${DIFFICULTY_BUCKETS[row.difficulty]}`),
    });
    progress.finish();
    await labeler.close();
    const kept = rows.filter((r) => r.keep).length;
    // The cost of this run's failures counts too: their answers were paid for.
    const cost = [...rows, ...failed].reduce((a, r) => a + r.cost_usd, 0);
    const { source } = labeler;
    const summary = {
      labelled: rows.length,
      new: labelled,
      failed: failed.length,
      kept,
      cost_usd: cost,
      source,
      out: outPath,
    };
    if (json) io.stdout.write(`${JSON.stringify({ ...summary, failures: failed })}\n`);
    else {
      for (const f of failed) io.stderr.write(`not labelled: ${f.message}\n`);
      const notLabelled = failed.length ? `, ${failed.length} not labelled (a rerun retries them)` : '';
      io.stdout.write(
        `labelled ${rows.length} (${labelled} new)${notLabelled}, keep ${kept}; cost $${cost.toFixed(4)} (${source}); written to ${outPath}\n`,
      );
    }
    return failed.length ? 1 : 0;
  },
};

const annotationsOption = {
  type: 'string',
  value: 'CSV',
  description: 'human annotations (SWE-bench Verified format)',
} as const;
const instancesOption = {
  type: 'string',
  multiple: true,
  value: 'FILE',
  description: 'instances the annotations name (repeatable)',
} as const;

/** Annotated training rows: the annotations CSV joined with the instances files by instance_id. */
async function annotatedRows(values: ParsedValues, cwd: string, signal: AbortSignal) {
  const files = (values.instances as string[] | undefined) ?? [];
  if (!files.length) throw new UsageError('--instances is required');
  const byId = new Map();
  for (const f of files)
    for (const i of await loadDataset(resolve(cwd, f), { signal })) byId.set(i.instance_id, i);
  const rows = await trainingRows(parseCsv(readFileSync(fileArg(values, 'annotations', cwd), 'utf8')), byId);
  if (rows.length < 20)
    throw new UsageError(`only ${rows.length} annotated instances found in the given files`);
  return rows;
}

function agreementLines(title: string, result: Partial<Record<string, Agreement>>): string {
  return [
    title,
    ...Object.entries(result).map(
      ([name, a]) =>
        `  ${name}: n=${a!.n} exact=${a!.exact} (majority ${a!.majorityBaseline}) within-one=${a!.withinOne} qwk=${a!.qwk}\n    confusion (rows true 0-3, cols predicted 0-3): ${JSON.stringify(a!.confusion)}`,
    ),
  ].join('\n');
}

const evalCmd: Command = {
  name: 'eval',
  summary:
    "agreement with SWE-bench's human annotations (exact, within-one, QWK, majority baseline): of a labels file, or of the offline model by grouped cross-validation",
  examples: [
    'repoforge spice eval --labels labels.jsonl --annotations ensembled_annotations_public.csv',
    'repoforge spice eval --annotations ann.csv --instances verified.jsonl   # offline model, folds by repo and by time',
  ],
  options: {
    labels: { type: 'string', value: 'FILE', description: 'labels JSONL' },
    annotations: annotationsOption,
    instances: instancesOption,
  },
  async run({ io, values, json, signal }) {
    if (typeof values.labels !== 'string') {
      const cv = groupedCrossValidation(await annotatedRows(values, io.cwd, signal));
      io.stdout.write(
        json
          ? `${JSON.stringify(cv)}\n`
          : `${agreementLines('offline model, folds by repo:', cv.repo)}\n${agreementLines('offline model, folds by time:', cv.time)}\n`,
      );
      return 0;
    }
    const labels = (await readRecordsFile(fileArg(values, 'labels', io.cwd), SpiceLabels)).records;
    const result = annotationAgreement(
      labels,
      parseCsv(readFileSync(fileArg(values, 'annotations', io.cwd), 'utf8')),
    );
    io.stdout.write(json ? `${JSON.stringify(result)}\n` : `${agreementLines('labels:', result)}\n`);
    return 0;
  },
};

const fit: Command = {
  name: 'fit',
  summary:
    'refit the offline model on human annotations + instances (seeded, byte-reproducible), with grouped cross-validation',
  examples: [
    'repoforge spice fit --annotations ann.csv --instances verified.jsonl --instances lite.jsonl --out model.json',
  ],
  options: {
    annotations: annotationsOption,
    instances: instancesOption,
    out: { type: 'string', value: 'FILE', description: 'model JSON' },
    seed: { type: 'string', value: 'N', description: 'seed of the inner cross-validation (default 11)' },
  },
  async run({ io, values, signal, json }) {
    if (typeof values.out !== 'string') throw new UsageError('--out is required');
    const rows = await annotatedRows(values, io.cwd, signal);
    const seed = numberArg(values, 'seed', true);
    const cv = groupedCrossValidation(rows, { seed });
    const model = { ...fitOfflineModel(rows, { seed }), crossValidation: cv };
    await writeFileAtomic(resolve(io.cwd, values.out), `${JSON.stringify(model)}\n`);
    io.stdout.write(
      json
        ? `${JSON.stringify({ rows: rows.length, crossValidation: cv })}\n`
        : `fitted on ${rows.length} rows\n${agreementLines('folds by repo:', cv.repo)}\n${agreementLines('folds by time:', cv.time)}\n`,
    );
    return 0;
  },
};

/** `repoforge spice ...` */
export const spiceCommand: Command = {
  name: 'spice',
  summary: 'SPICE labels: issue clarity, test validity, difficulty',
  subcommands: [label, evalCmd, fit, alternativesCmd, evidenceCmd],
};
