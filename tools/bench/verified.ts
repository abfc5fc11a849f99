/**
 * The servability table: a SWE-bench Verified JSONL through the built-in Debian recipes with environment
 * validation, gold patches then no fix. Per instance and per repo/version: the Debian suite, servable or not
 * (and why), gold resolved, no-fix resolved. Needs Docker and the base images (tools/setup-docker.sh).
 *   npm run bench:verified -- [--dataset F] [--repo-cache DIR] [--ids a,b] [--workers 2]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EnvValidations, RepoCache, runEvaluation } from '@repoforge/harness';
import { debianSuiteOf, Instance, parseRecords } from '@repoforge/schema';
import { noopPredictions, sharedFixture, sharedFixturesDir, tempDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'repo-cache': { type: 'string' },
    ids: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
if (!values.dataset && !sharedFixturesDir()) {
  console.error('bench/verified: ../shared/fixtures is absent; pass --dataset and --repo-cache');
  process.exit(2);
}
const datasetFile = values.dataset ?? sharedFixture('instances', 'swebench_verified_py7_subset.jsonl');
let dataset = parseRecords(readFileSync(datasetFile, 'utf8'), Instance).records;
if (values.ids) {
  const ids = new Set(values.ids.split(','));
  dataset = dataset.filter((i) => ids.has(i.instance_id));
}
await using root = await tempDir('repoforge-bench-verified-');
const validations = new EnvValidations(join(root.path, 'validations'));
const run = (runId: string, predictions: Parameters<typeof runEvaluation>[0]['predictions']) =>
  runEvaluation({
    dataset,
    predictions,
    runId,
    reportDir: root.path,
    envSpecs: {},
    recipes: 'debian',
    repoSource: new RepoCache({ cacheDir: values['repo-cache'] ?? sharedFixture('repos'), clone: false }),
    validateEnvs: true,
    validations,
    maxWorkers: Number(values.workers),
    timeoutSec: 900,
  });
const t0 = performance.now();
const gold = await run('gold', 'gold');
const goldSeconds = Math.round((performance.now() - t0) / 1000);
const noop = await run('noop', noopPredictions(dataset));
const rows = dataset.map((i) => {
  const id = i.instance_id;
  const error = gold.errors[id];
  return {
    instance: id,
    repo: i.repo,
    version: i.version,
    suite: debianSuiteOf(i.repo, i.version),
    servable: !error,
    why: error ? `${error.class}: ${error.reason}`.slice(0, 400) : undefined,
    gold_resolved: gold.summary.resolved_ids.includes(id),
    gold_unresolved: gold.summary.unresolved_ids.includes(id),
    no_fix_resolved: noop.summary.resolved_ids.includes(id),
  };
});
for (const r of rows) console.error(JSON.stringify(r));
console.log(
  JSON.stringify(
    {
      bench: 'verified-servability',
      dataset: datasetFile,
      totals: {
        instances: rows.length,
        servable: rows.filter((r) => r.servable).length,
        gold_resolved: rows.filter((r) => r.gold_resolved).length,
        gold_unresolved: rows.filter((r) => r.gold_unresolved).length,
        no_fix_resolved: rows.filter((r) => r.no_fix_resolved).length,
        validations_run: validations.ran,
        gold_seconds: goldSeconds,
        total_seconds: Math.round((performance.now() - t0) / 1000),
      },
      rows,
    },
    null,
    2,
  ),
);
