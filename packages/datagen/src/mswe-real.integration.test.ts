import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvBuilder, plannedEnvs } from '@repoforge/deps';
import {
  EnvProvenance,
  instanceLogDir,
  LOG_FILES,
  loadDataset,
  RepoCache,
  runEvaluation,
} from '@repoforge/harness';
import { createSandbox } from '@repoforge/sandbox';
import { NOOP_PATCH, sharedFixture, skipWithoutFixturesOrDocker, tempDir } from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Real Multi-SWE-bench JavaScript rows (../shared/fixtures): express (mocha) and github-readme-stats (ESM
 * jest), gold patches, NO env spec — each environment is planned from the repo, built from the npm registry
 * and accepted only when its tests run (the repair ladder) — graded by Multi-SWE-bench's own test names.
 */
const skip = await skipWithoutFixturesOrDocker('the Multi-SWE-bench and SWE-bench Multilingual JS rows are');

/** Graded in environments planned from the repo and obtained through the ladder (no env spec). */
function plannedEvaluation(dataset: Parameters<typeof runEvaluation>[0]['dataset'], reportDir: string) {
  const repoSource = new RepoCache({ cacheDir: sharedFixture('repos'), clone: false });
  const envs = plannedEnvs(repoSource, undefined, new EnvBuilder(), (o) =>
    createSandbox({ backend: 'docker', ...o }),
  );
  const evaluate = (runId: string, predictions: Parameters<typeof runEvaluation>[0]['predictions']) =>
    runEvaluation({
      dataset,
      predictions,
      runId,
      reportDir,
      envSpecs: {},
      resolveEnv: envs.resolveEnv,
      repoSource,
      maxWorkers: 2,
      timeoutSec: 900,
    });
  return { envs, evaluate };
}

// One instance per repo and era (each era is its own dependency set): the newest and the oldest of each repo.
// `npm run bench:envs -- --gold` grades all ten shared rows (figures in packages/deps/README.md).
const IDS = [
  'expressjs__express-5555',
  'expressjs__express-3495',
  'anuraghazra__github-readme-stats-3442',
  'anuraghazra__github-readme-stats-2075',
];

describe.skipIf(skip)('real Multi-SWE-bench JS instances, planned environments', () => {
  let root: { path: string } & AsyncDisposable;
  beforeAll(async () => {
    root = await tempDir('repoforge-mswe-');
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });

  // Cold: one npm install per dependency set from the registry, a verification run and the graded run each.
  it('resolves every gold patch by Multi-SWE-bench test names', { timeout: 3_600_000 }, async () => {
    const dataset = (await loadDataset(sharedFixture('instances', 'multi_swe_bench_js.jsonl'))).filter((i) =>
      IDS.includes(i.instance_id),
    );
    expect(dataset.map((i) => i.instance_id).sort()).toEqual([...IDS].sort());
    const { envs, evaluate } = plannedEvaluation(dataset, root.path);
    const { summary, outcomes } = await evaluate('gold', 'gold');
    const why = outcomes
      .filter((o) => !o.report?.resolved)
      .map(
        (o) =>
          `${o.instance_id}: ${o.error ?? JSON.stringify(o.report?.tests_status).slice(0, 400)} seen=${JSON.stringify(o.testsSeen)}`,
      );
    expect(why).toEqual([]);
    expect(summary.resolved_instances).toBe(IDS.length);
    // Every expected name was seen: the names are Multi-SWE-bench's, not a lucky subset.
    expect(outcomes.every((o) => o.testsSeen && o.testsSeen.seen === o.testsSeen.expected)).toBe(true);
    expect([...envs.attempts.values()].every((a) => a.at(-1)?.outcome === 'ok')).toBe(true);
    // Each run says which Node.js and npm ran its tests, and in which image.
    for (const id of IDS) {
      const dir = instanceLogDir(root.path, 'gold', 'gold', id);
      const env = EnvProvenance.parse(JSON.parse(await readFile(join(dir, LOG_FILES.environment), 'utf8')));
      expect(env.runtime?.versions, id).toMatchObject({
        node: expect.stringMatching(/^\d+\./),
        npm: expect.stringMatching(/^\d+\./),
      });
      expect(await readFile(join(dir, LOG_FILES.instanceLog), 'utf8')).toContain(
        `Runtime: node ${env.runtime?.versions.node}`,
      );
    }
  });
});

// One row per repo and kind of setup; `npm run bench:envs -- --dataset .../swebench_multilingual_js_ts.jsonl
// --gold --unfixed` grades every shared row (figures in packages/deps/README.md).
const MULTILINGUAL_IDS = [
  'axios__axios-4731', // axios 0.27: grunt runs mocha on test/unit beside a karma suite; a hanging socket
  'axios__axios-5085', // axios 1.x, ESM: mocha through `npm run test:mocha`
  'immutable-js__immutable-js-2005', // jest on the built dist/, names as jest's JSON gives them
  'vuejs__core-11899', // pnpm 9 workspace + catalog, vitest; compiler-sfc's tests need its own devDependencies
  'preactjs__preact-2896', // karma in headless Chromium, --grep of the test file, microbundle build first
];

/**
 * Real SWE-bench Multilingual JS/TS rows: the gold patch must resolve by the row's own `log_parser` names and
 * the same tests with no fix must not (a verdict: unresolved, not an error).
 */
describe.skipIf(skip)('real SWE-bench Multilingual JS/TS rows, planned environments', () => {
  let root: { path: string } & AsyncDisposable;
  beforeAll(async () => {
    root = await tempDir('repoforge-multilingual-');
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });

  // Cold: one install per dependency set from the npm registry, a verification run, then gold and no-fix runs.
  it('resolves each gold patch by the row’s own test names, and nothing without the fix', {
    timeout: 3_600_000,
  }, async () => {
    const dataset = (
      await loadDataset(sharedFixture('instances', 'swebench_multilingual_js_ts.jsonl'))
    ).filter((i) => MULTILINGUAL_IDS.includes(i.instance_id));
    expect(dataset.map((i) => i.instance_id).sort()).toEqual([...MULTILINGUAL_IDS].sort());
    const { envs, evaluate } = plannedEvaluation(dataset, root.path);
    const gold = await evaluate('gold', 'gold');
    const why = gold.outcomes
      .filter((o) => !o.report?.resolved)
      .map((o) => `${o.instance_id}: ${o.error ?? JSON.stringify(o.report?.tests_status).slice(0, 400)}`);
    expect(why).toEqual([]);
    expect(gold.outcomes.every((o) => o.testsSeen && o.testsSeen.seen === o.testsSeen.expected)).toBe(true);
    // Every environment came from the planner and ladder, and what was tried is recorded.
    expect(MULTILINGUAL_IDS.map((id) => envs.attempts.get(id)?.at(-1)?.outcome)).toEqual(
      MULTILINGUAL_IDS.map(() => 'ok'),
    );

    const unfixed = await evaluate(
      'no-fix',
      dataset.map((i) => ({
        instance_id: i.instance_id,
        model_name_or_path: 'no-fix',
        model_patch: NOOP_PATCH,
      })),
    );
    // Without the fix each row is a verdict (unresolved), not an error: its tests ran in a working environment.
    expect(unfixed.outcomes.map((o) => [o.instance_id, o.error, o.report?.resolved])).toEqual(
      unfixed.outcomes.map((o) => [o.instance_id, undefined, false]),
    );
  });
});
