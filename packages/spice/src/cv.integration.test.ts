import { readFileSync } from 'node:fs';
import { Instance, parseRecords } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { crossValidate, defaultModel, parseCsv, trainingRows } from './index.js';

describe.skipIf(
  !sharedFixturesDir() && skipLoudly('shared fixtures absent: offline-model cross-validation SKIPPED'),
)('offline model on human annotations', () => {
  it('cross-validates to the figures shipped with the model (and in the README)', async () => {
    const instances = new Map<string, Instance>();
    for (const f of ['swebench_verified_test.jsonl', 'swebench_lite_test.jsonl', 'swebench_lite_dev.jsonl']) {
      for (const r of parseRecords(readFileSync(sharedFixture('instances', f), 'utf8'), Instance).records)
        instances.set(r.instance_id, r);
    }
    const rows = await trainingRows(
      parseCsv(readFileSync(sharedFixture('annotations', 'ensembled_annotations_public.csv'), 'utf8')),
      instances,
    );
    expect(rows.length).toBe(506);
    const cv = crossValidate(rows);
    expect(cv.difficulty).toEqual(defaultModel.crossValidation!.difficulty);
    expect(cv.difficulty!.exact).toBeGreaterThan(cv.difficulty!.majorityBaseline);
    expect(cv.difficulty!.withinOne).toBeGreaterThanOrEqual(0.97);
  });
});
