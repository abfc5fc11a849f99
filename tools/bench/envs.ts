/**
 * Environments for real repos (mirrors in a repo cache): for each instance, attempted / obtained / by which
 * rung of the repair ladder, and the time each took — against the same plans without the ladder (the
 * baseline, same run: a plan is accepted as built, whether or not its tests run).
 *   npx tsx --conditions=@repoforge/source tools/bench/envs.ts [--dataset F] [--repo-cache D] [--ids a,b]
 * Defaults: the Multi-SWE-bench JS rows of ../shared/fixtures whose repos are there (express, github-readme-stats).
 */
import { parseArgs } from 'node:util';
import { EnvBuilder, plannedEnvs } from '@repoforge/deps';
import { loadDataset, RepoCache } from '@repoforge/harness';
import { createSandbox } from '@repoforge/sandbox';
import { sharedFixture, sharedFixturesDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: { dataset: { type: 'string' }, 'repo-cache': { type: 'string' }, ids: { type: 'string' } },
});
if (!values.dataset && !sharedFixturesDir()) {
  console.error('bench/envs: no --dataset and no ../shared/fixtures');
  process.exit(2);
}
const dataset = await loadDataset(values.dataset ?? sharedFixture('instances', 'multi_swe_bench_js.jsonl'));
const repoSource = new RepoCache({ cacheDir: values['repo-cache'] ?? sharedFixture('repos'), clone: false });
const wanted = values.ids?.split(',');
const instances = [];
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
    // The first attempt is the plan as made: what a builder without the ladder would have accepted or lost.
    baseline_tests_ran: attempts[0]?.outcome === 'ok',
    seconds: Math.round((performance.now() - t) / 100) / 10,
  });
  console.error(JSON.stringify(rows.at(-1)));
}
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
      seconds_per_environment: rows.length
        ? Math.round((rows.reduce((a, r) => a + r.seconds, 0) / rows.length) * 10) / 10
        : 0,
      rows,
    },
    null,
    2,
  ),
);
