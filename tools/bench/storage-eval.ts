/**
 * Storage of the images eval really uses: gold patches of a SWE-bench dataset through the built-in Debian
 * recipes (default: the 24 real Verified instances of ../shared), then the images the run recorded per instance
 * measured on the engine (layers counted once, plus the shared repo cache), against the baseline of one image
 * per instance (its environment image plus the repo at base_commit). Needs Docker and the base images
 * (tools/setup-docker.sh).
 *   npm run bench:storage-eval -- [--dataset F] [--repo-cache DIR] [--workers 2]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureDatasetStorage } from '@repoforge/deps';
import { RepoCache, runEvaluation, runImages } from '@repoforge/harness';
import { Instance, parseRecords } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, tempDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'repo-cache': { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
if (!values.dataset && !sharedFixturesDir()) {
  console.error('bench/storage-eval: ../shared/fixtures is absent; pass --dataset and --repo-cache');
  process.exit(2);
}
const datasetFile = values.dataset ?? sharedFixture('instances', 'swebench_verified_real_subset.jsonl');
const dataset = parseRecords(readFileSync(datasetFile, 'utf8'), Instance).records;
const repos = new RepoCache({ cacheDir: values['repo-cache'] ?? sharedFixture('repos'), clone: false });
await using root = await tempDir('repoforge-bench-storage-eval-');
const t0 = performance.now();
const { summary } = await runEvaluation({
  dataset,
  predictions: 'gold',
  runId: 'storage',
  reportDir: root.path,
  envSpecs: {},
  recipes: 'debian',
  repoSource: repos,
  maxWorkers: Number(values.workers),
  timeoutSec: 900,
});
const evalSeconds = Math.round((performance.now() - t0) / 1000);
const { measured, missing } = await runImages(root.path, 'storage', { dataset, repos });
const { report, ...storage } = await measureDatasetStorage(measured);
console.log(
  JSON.stringify(
    {
      bench: 'storage-of-eval-images',
      dataset: datasetFile,
      eval: { resolved: summary.resolved_instances, of: dataset.length, seconds: evalSeconds },
      measured: measured.length,
      missing,
      ours: { mb_per_instance: storage.amortizedMBPerInstance, total_bytes: storage.totalBytes },
      baseline_one_image_per_instance: { mb_per_instance: storage.baselineMBPerInstance },
      ratio: storage.ratio,
      goal_at_most_10mb: storage.amortizedMBPerInstance <= 10,
      storage,
      images: report.images,
    },
    null,
    2,
  ),
);
