/**
 * Refits the offline SPICE model shipped in packages/spice/src/default-model.json from the shared
 * annotations (SWE-bench Verified's human labels) and the instances they name, with honest 5-fold
 * cross-validation recorded beside it.  npx tsx --conditions=@repoforge/source tools/spice-fit.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Instance, parseRecords } from '@repoforge/schema';
import { crossValidate, fitOfflineModel, parseCsv, trainingRows } from '@repoforge/spice';

const F = join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
const instances = new Map<string, Instance>();
for (const f of ['swebench_verified_test.jsonl', 'swebench_lite_test.jsonl', 'swebench_lite_dev.jsonl']) {
  for (const r of parseRecords(readFileSync(join(F, 'instances', f), 'utf8'), Instance).records)
    instances.set(r.instance_id, r);
}
const rows = await trainingRows(
  parseCsv(readFileSync(join(F, 'annotations', 'ensembled_annotations_public.csv'), 'utf8')),
  instances,
);
const model = { ...fitOfflineModel(rows), crossValidation: crossValidate(rows) };
const out = join(import.meta.dirname, '..', 'packages', 'spice', 'src', 'default-model.json');
writeFileSync(out, `${JSON.stringify(model)}\n`);
console.log(
  JSON.stringify(
    {
      rows: rows.length,
      crossValidation: Object.fromEntries(
        Object.entries(model.crossValidation).map(([k, v]) => [
          k,
          { exact: v.exact, withinOne: v.withinOne, qwk: v.qwk, majorityBaseline: v.majorityBaseline },
        ]),
      ),
    },
    null,
    2,
  ),
);
