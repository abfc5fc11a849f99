/**
 * Mines what SWE-bench mined: for each instance of a SWE-bench JSONL, its fix is committed on top of its base
 * commit (from a repo cache in the owner__name layout), that commit is mined with no env spec and no recipe
 * flag, and the mined instance is compared with SWE-bench's. Prints per instance: mined or not (and why, with
 * the rejection's evidence), FAIL_TO_PASS equal, PASS_TO_PASS recall and precision, seconds and seconds per
 * mining stage; then totals: instances per hour, and where the time went (scan, draft, env, runs, gold). The
 * baseline in the same run is the share each stage takes: `runs` (2 x --runs test runs) against `gold` (one).
 *   npm run bench:mine-swebench -- [--dataset F] [--repo-cache DIR] [--ids a,b] [--runs 3]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareWithSwebench, emptyFunnel, mineRepository, reconstructFixCommit } from '@repoforge/datagen';
import { Instance, parseRecords } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, tempDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'repo-cache': { type: 'string' },
    ids: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
if (!values.dataset && !sharedFixturesDir()) {
  console.error('bench/mine-swebench: ../shared/fixtures is absent; pass --dataset and --repo-cache');
  process.exit(2);
}
const datasetFile = values.dataset ?? sharedFixture('instances', 'swebench_verified_real_subset.jsonl');
const cache = values['repo-cache'] ?? sharedFixture('repos');
let dataset = parseRecords(readFileSync(datasetFile, 'utf8'), Instance).records;
if (values.ids) {
  const ids = new Set(values.ids.split(','));
  dataset = dataset.filter((i) => ids.has(i.instance_id));
}
await using root = await tempDir('repoforge-bench-mine-swebench-');

const rows = [];
const stageMs = emptyFunnel().stageMs;
for (const inst of dataset) {
  const started = performance.now();
  const dir = join(root.path, inst.instance_id);
  const source = join(cache, `${inst.repo.replace('/', '__')}.git`);
  const commit = await reconstructFixCommit(inst, source, dir);
  const mined = await mineRepository({
    repo: dir,
    repoName: inst.repo,
    out: join(root.path, `${inst.instance_id}.jsonl`),
    maxCandidates: 1,
    runs: Number(values.runs),
    timeoutSec: 900,
  });
  const got = mined.instances[0];
  for (const [stage, ms] of Object.entries(mined.funnel.stageMs))
    stageMs[stage as keyof typeof stageMs] += ms;
  const rejection = mined.rejections[0];
  const why = got
    ? undefined
    : rejection
      ? `${rejection.verdict}: ${rejection.evidence?.why ?? ''}`
      : `not a candidate: ${JSON.stringify(mined.funnel.rejected)}`;
  const fidelity = got ? compareWithSwebench(inst, got) : undefined;
  rows.push({
    instance: inst.instance_id,
    commit,
    mined: !!got,
    why: why?.slice(0, 600),
    f2p_equal: fidelity?.f2pEqual ?? false,
    f2p_missing: fidelity?.f2pMissing.slice(0, 5),
    f2p_extra: fidelity?.f2pExtra.slice(0, 5),
    p2p_recall: fidelity ? Math.round(fidelity.p2pRecall * 1000) / 1000 : undefined,
    p2p_precision: fidelity ? Math.round(fidelity.p2pPrecision * 1000) / 1000 : undefined,
    log_parser: (got?.repoforge as { log_parser?: string } | undefined)?.log_parser,
    seconds: Math.round((performance.now() - started) / 1000),
    stage_seconds: Object.fromEntries(
      Object.entries(mined.funnel.stageMs).map(([stage, ms]) => [stage, Math.round(ms / 100) / 10]),
    ),
  });
  console.error(JSON.stringify(rows.at(-1)));
}
const minedRows = rows.filter((r) => r.mined);
const totalSeconds = rows.reduce((a, r) => a + r.seconds, 0);
const stageTotal = Object.values(stageMs).reduce((a, b) => a + b, 0) || 1;
console.log(
  JSON.stringify(
    {
      bench: 'mine-swebench',
      dataset: datasetFile,
      runs: Number(values.runs),
      totals: {
        instances: rows.length,
        mined: minedRows.length,
        f2p_equal: rows.filter((r) => r.f2p_equal).length,
        p2p_recall_min: Math.min(...minedRows.map((r) => r.p2p_recall ?? 0)),
        p2p_recall_mean:
          Math.round(
            (minedRows.reduce((a, r) => a + (r.p2p_recall ?? 0), 0) / (minedRows.length || 1)) * 1000,
          ) / 1000,
        seconds: totalSeconds,
        instances_per_hour: totalSeconds ? Math.round((minedRows.length / totalSeconds) * 3600 * 10) / 10 : 0,
        stage_share: Object.fromEntries(
          Object.entries(stageMs).map(([stage, ms]) => [stage, Math.round((ms / stageTotal) * 1000) / 1000]),
        ),
        runs_vs_gold: stageMs.gold ? Math.round((stageMs.runs / stageMs.gold) * 10) / 10 : null,
      },
      rows,
    },
    null,
    2,
  ),
);
