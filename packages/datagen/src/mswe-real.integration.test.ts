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
import { sharedFixture, skipWithoutFixturesOrDocker, tempDir } from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Real Multi-SWE-bench JavaScript rows (../shared/fixtures): express (mocha) and github-readme-stats (ESM
 * jest), gold patches, NO env spec — each environment is planned from the repo, built from the npm registry
 * and accepted only when its tests run (the repair ladder) — graded by Multi-SWE-bench's own test names.
 */
const skip = await skipWithoutFixturesOrDocker('the Multi-SWE-bench JS instances are');

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
    const repoSource = new RepoCache({ cacheDir: sharedFixture('repos'), clone: false });
    const envs = plannedEnvs(repoSource, undefined, new EnvBuilder(), (o) =>
      createSandbox({ backend: 'docker', ...o }),
    );
    const { summary, outcomes } = await runEvaluation({
      dataset,
      predictions: 'gold',
      runId: 'gold',
      reportDir: root.path,
      envSpecs: {},
      resolveEnv: envs.resolveEnv,
      repoSource,
      maxWorkers: 2,
      timeoutSec: 900,
    });
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
