/**
 * Real SWE-bench instances (../shared/fixtures) through the built-in Debian recipes. Per instance it prints:
 * - prepare: packing the base commit with the git CLI (ours) vs isomorphic-git (the baseline, same run), and
 *   the whole prepare step of an eval (pack, copy, checkout, apply) cold and again with the pack kept;
 * - tests: the eval with test directives (`{tests}`, ours) vs the whole suite (the baseline, capped by
 *   --suite-timeout; a capped run is reported as "at least").
 *   npx tsx --conditions=@repoforge/source tools/bench/swebench.ts [--ids a,b] [--suite-timeout 600]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { packCommitTree, RepoCache, runEvaluation, swebenchRecipe } from '@repoforge/harness';
import { EnvSpec, Instance, parseRecords } from '@repoforge/schema';
import { baseImage, sharedFixture, sharedFixturesDir, tempDir } from '@repoforge/test-utils';
import { ratio, time } from './stats.ts';

const { values } = parseArgs({
  options: {
    ids: { type: 'string', default: 'django__django-15731,sympy__sympy-20428,sympy__sympy-23824' },
    'suite-timeout': { type: 'string', default: '600' },
  },
});
if (!sharedFixturesDir()) {
  console.error('bench/swebench: ../shared/fixtures is absent');
  process.exit(2);
}
const ids = values.ids!.split(',');
const all = parseRecords(
  readFileSync(sharedFixture('instances', 'swebench_verified_real_subset.jsonl'), 'utf8'),
  Instance,
).records;
const dataset = ids.map((id) => all.find((i) => i.instance_id === id)!);
const repoSource = new RepoCache({ cacheDir: sharedFixture('repos'), clone: false });
await using root = await tempDir('repoforge-bench-swebench-');

const rows = [];
for (const inst of dataset) {
  const loc = await repoSource.resolve(inst.repo);
  // Packing measured outside the in-process cache, so the first eval below prepares truly cold.
  const cliMs = await time(() => packCommitTree(loc, inst.base_commit, { cache: false }));
  // The baseline: isomorphic-git alone, as the harness packed every commit before.
  const isoMs = await time(() => packCommitTree(loc, inst.base_commit, { via: 'isomorphic-git' }));
  const recipe = EnvSpec.parse(swebenchRecipe(inst, 'debian', { debianBase: baseImage }));
  const evalWith = async (runId: string, testCmd: string, timeoutSec: number) => {
    const r = await runEvaluation({
      dataset: [inst],
      predictions: 'gold',
      runId,
      reportDir: root.path,
      envSpecs: { [inst.repo]: { '*': { ...recipe, test_cmd: testCmd, timeout: timeoutSec } } },
      repoSource,
    });
    const o = r.outcomes[0]!;
    return {
      ms: o.timings.tests_ms ?? timeoutSec * 1000,
      prepareMs: o.timings.prepare_ms,
      timedOut: o.error === 'timeout',
      resolved: r.summary.resolved_instances === 1,
    };
  };
  const directives = await evalWith(`dir-${inst.instance_id}`, recipe.test_cmd, 1800);
  // The same instance again (an empty-patch run, a validation repeat, another rollout sample): the pack is kept.
  const again = await evalWith(`again-${inst.instance_id}`, recipe.test_cmd, 1800);
  const suite = await evalWith(
    `suite-${inst.instance_id}`,
    recipe.test_cmd.replace('{tests}', ''),
    Number(values['suite-timeout']),
  );
  rows.push({
    instance: inst.instance_id,
    pack_ms: { git_cli: Math.round(cliMs), isomorphic_git: Math.round(isoMs), speedup: ratio(cliMs, isoMs) },
    prepare_ms: { cold: directives.prepareMs, same_base_again: again.prepareMs },
    tests_ms: {
      directives: directives.ms,
      whole_suite: suite.ms,
      whole_suite_capped: suite.timedOut,
      speedup: `${suite.timedOut ? '>=' : ''}${ratio(directives.ms, suite.ms)}`,
    },
    resolved_with_directives: directives.resolved,
  });
  console.error(JSON.stringify(rows.at(-1)));
}
console.log(JSON.stringify({ bench: 'swebench-real', rows }, null, 2));
