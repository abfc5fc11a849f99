/**
 * Environments for real repos (mirrors in a repo cache): for each instance, attempted / obtained / by which
 * rung of the repair ladder, and the time each took — against the same plans without the ladder (the
 * baseline, same run: a plan is accepted as built, whether or not its tests run).
 * With --gold, the gold patches are then graded in the environments obtained (the full set of what CI's
 * mswe-real test runs a sample of: one instance per repo and era).
 *   npm run bench:envs -- [--dataset F] [--repo-cache D] [--ids a,b] [--gold [--unfixed] [--report-dir D]]
 * Defaults: the Multi-SWE-bench JS rows of ../shared/fixtures whose repos are there (express, github-readme-stats).
 */
import { parseArgs } from 'node:util';
import { EnvBuilder, plannedEnvs } from '@repoforge/deps';
import { loadDataset, RepoCache, runEvaluation } from '@repoforge/harness';
import { createSandbox } from '@repoforge/sandbox';
import { NOOP_PATCH, sharedFixture, sharedFixturesDir, tempDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    'repo-cache': { type: 'string' },
    ids: { type: 'string' },
    gold: { type: 'boolean' },
    // Keep the gold run's logs (run_instance.log, test_output.txt) here instead of a temp dir.
    'report-dir': { type: 'string' },
    // Also grade each row with no fix (a patch no test reads) in the same environments: none may resolve.
    unfixed: { type: 'boolean' },
  },
});
if (!values.dataset && !sharedFixturesDir()) {
  console.error('bench/envs: no --dataset and no ../shared/fixtures');
  process.exit(2);
}
const dataset = await loadDataset(values.dataset ?? sharedFixture('instances', 'multi_swe_bench_js.jsonl'));
const repoSource = new RepoCache({ cacheDir: values['repo-cache'] ?? sharedFixture('repos'), clone: false });
const wanted = values.ids?.split(',');
const instances: Awaited<ReturnType<typeof loadDataset>> = [];
for (const i of dataset) {
  if (wanted && !wanted.includes(i.instance_id)) continue;
  if (
    await repoSource.resolve(i.repo).then(
      () => true,
      () => false,
    )
  )
    instances.push(i);
}
const builder = new EnvBuilder();
const ladder = plannedEnvs(repoSource, undefined, builder, (o) => createSandbox({ backend: 'docker', ...o }));
const rows = [];
for (const inst of instances) {
  const t = performance.now();
  const ok = await ladder.envOf(inst).then(
    () => true,
    () => false,
  );
  const attempts = ladder.attempts.get(inst.instance_id) ?? [];
  rows.push({
    instance: inst.instance_id,
    obtained: ok,
    rung: ok ? attempts.at(-1)?.rung : undefined,
    attempts: attempts.map((a) => `${a.rung}: ${a.outcome}`),
    // Why the last attempt failed (the end of its log), for rows with no environment.
    ...(ok ? {} : { detail: attempts.at(-1)?.detail }),
    // The first attempt is the plan as made: what a builder without the ladder would have accepted or lost.
    baseline_tests_ran: attempts[0]?.outcome === 'ok',
    seconds: Math.round((performance.now() - t) / 100) / 10,
  });
  console.error(JSON.stringify(rows.at(-1)));
}
/** Gold patches graded in the environments the ladder obtained (the same `resolveEnv` eval uses). */
async function gradeGold(dataset: typeof instances) {
  await using temp = await tempDir('repoforge-bench-envs-');
  const reportDir = values['report-dir'] ?? temp.path;
  const t = performance.now();
  const evaluate = (runId: string, predictions: Parameters<typeof runEvaluation>[0]['predictions']) =>
    runEvaluation({
      dataset,
      predictions,
      runId,
      reportDir,
      envSpecs: {},
      resolveEnv: ladder.resolveEnv,
      repoSource,
      maxWorkers: 2,
      timeoutSec: 900,
    });
  const { summary, outcomes } = await evaluate('gold', 'gold');
  const seconds = Math.round((performance.now() - t) / 100) / 10;
  // The same environments with no fix: a row whose tests cannot tell a fix from none must not resolve.
  const unfixed = values.unfixed
    ? await evaluate(
        'no-fix',
        dataset.map((i) => ({
          instance_id: i.instance_id,
          model_name_or_path: 'no-fix',
          model_patch: NOOP_PATCH,
        })),
      )
    : undefined;
  return {
    graded: dataset.length,
    resolved: summary.resolved_instances,
    all_expected_tests_seen: outcomes.every((o) => o.testsSeen && o.testsSeen.seen === o.testsSeen.expected),
    unresolved: outcomes
      .filter((o) => !o.report?.resolved)
      .map((o) => `${o.instance_id}: ${o.error ?? 'unresolved'}`),
    seconds,
    ...(unfixed
      ? {
          unfixed_resolved: unfixed.summary.resolved_instances,
          unfixed_errors: unfixed.outcomes.filter((o) => o.error).map((o) => `${o.instance_id}: ${o.error}`),
        }
      : {}),
  };
}
const obtainedIds = new Set(rows.filter((r) => r.obtained).map((r) => r.instance));
const gold = values.gold
  ? await gradeGold(instances.filter((i) => obtainedIds.has(i.instance_id)))
  : undefined;
const obtained = rows.filter((r) => r.obtained).length;
const baseline = rows.filter((r) => r.baseline_tests_ran).length;
const byRung: Record<string, number> = {};
for (const r of rows) if (r.rung) byRung[r.rung] = (byRung[r.rung] ?? 0) + 1;
console.log(
  JSON.stringify(
    {
      bench: 'environments',
      attempted: rows.length,
      obtained,
      baseline_obtained: baseline,
      ratio_vs_baseline: baseline ? Math.round((obtained / baseline) * 100) / 100 : null,
      by_rung: byRung,
      gold,
      seconds_per_environment: rows.length
        ? Math.round((rows.reduce((a, r) => a + r.seconds, 0) / rows.length) * 10) / 10
        : 0,
      rows,
    },
    null,
    2,
  ),
);
