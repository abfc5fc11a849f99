import { readFileSync } from 'node:fs';
import { Instance, parseRecords } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultModel,
  fitOfflineModel,
  groupedCrossValidation,
  parseCsv,
  type TrainingRow,
  trainingRows,
} from './index.js';

describe.skipIf(
  !sharedFixturesDir() && skipLoudly('shared fixtures absent: offline-model cross-validation SKIPPED'),
)('offline model on human annotations', () => {
  let rows: TrainingRow[];
  beforeAll(async () => {
    const instances = new Map<string, Instance>();
    for (const f of ['swebench_verified_test.jsonl', 'swebench_lite_test.jsonl', 'swebench_lite_dev.jsonl']) {
      for (const r of parseRecords(readFileSync(sharedFixture('instances', f), 'utf8'), Instance).records)
        instances.set(r.instance_id, r);
    }
    rows = await trainingRows(
      parseCsv(readFileSync(sharedFixture('annotations', 'ensembled_annotations_public.csv'), 'utf8')),
      instances,
    );
  });

  it('refits to the shipped model byte for byte, whatever order the rows come in', () => {
    expect(rows.length).toBe(506);
    const { crossValidation: _, ...shipped } = defaultModel;
    const refit = fitOfflineModel([...rows].reverse(), { seed: defaultModel.seed });
    expect(JSON.stringify(refit)).toBe(JSON.stringify(shipped));
  });

  it('cross-validates, folded by repo and by time, to the figures shipped with the model (and in the README)', () => {
    const cv = groupedCrossValidation(rows, { seed: defaultModel.seed });
    expect(cv).toEqual(defaultModel.crossValidation);
    for (const by of ['repo', 'time'] as const) {
      const d = cv[by].difficulty!;
      expect(d.exact).toBeGreaterThanOrEqual(d.majorityBaseline + 0.08);
      expect(d.qwk).toBeGreaterThanOrEqual(0.5);
      expect(d.withinOne).toBeGreaterThanOrEqual(0.97);
    }
  });
});
