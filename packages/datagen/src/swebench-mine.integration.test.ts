import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvBuilder } from '@repoforge/deps';
import { RepoCache, runEvaluation } from '@repoforge/harness';
import { Instance, parseRecords } from '@repoforge/schema';
import {
  baseImage,
  noopPredictions,
  sharedFixture,
  skipWithoutFixturesOrDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithSwebench, mineRepository, reconstructFixCommit } from './index.js';

/**
 * Mine what SWE-bench mined: real SWE-bench Verified fixes, each committed on top of its base commit, mined
 * with no env spec and no recipe flag. The miner knows django and sympy (schema's KNOWN_REPOS), so the mined
 * instances name their tests as SWE-bench does and match its FAIL_TO_PASS; then they resolve under `eval run`
 * with their gold patches and fail without. One instance per repo and version family runs here, one run per
 * side (CI time); `npm run bench:mine-swebench` mines all 24 (figures in the datagen README).
 */
const IDS = [
  'django__django-12754', // 3.2: a docstring-ed test named as SWE-bench's Python 3.6 named it
  'django__django-15731', // 4.2
  'django__django-16485', // 5.0
  'sympy__sympy-20428', // 1.8: bin/test names
];
const skip = await skipWithoutFixturesOrDocker('mining reconstructed SWE-bench fixes is');

describe.skipIf(skip)('mining reconstructed SWE-bench fix commits', () => {
  const swebench = !skip
    ? parseRecords(
        readFileSync(sharedFixture('instances', 'swebench_verified_real_subset.jsonl'), 'utf8'),
        Instance,
      ).records.filter((i) => IDS.includes(i.instance_id))
    : [];
  let root: { path: string } & AsyncDisposable;
  const mined: Instance[] = [];
  beforeAll(async () => {
    root = await tempDir('repoforge-mine-swebench-');
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });

  it('mines each fix with SWE-bench names and FAIL_TO_PASS, PASS_TO_PASS recall >= 95%', {
    timeout: 3_600_000,
  }, async () => {
    expect(swebench).toHaveLength(IDS.length);
    for (const inst of swebench) {
      const dir = join(root.path, inst.instance_id);
      const source = sharedFixture('repos', `${inst.repo.replace('/', '__')}.git`);
      const commit = await reconstructFixCommit(inst, source, dir);
      const r = await mineRepository({
        repo: dir,
        out: join(root.path, `${inst.instance_id}.jsonl`),
        maxCandidates: 1,
        runs: 1,
        timeoutSec: 900,
        envBuilder: new EnvBuilder({ baseImage }),
      });
      const why = r.rejections.map((x) => `${x.verdict}: ${x.evidence?.why}`).join('; ');
      expect(why).toBe('');
      expect(r.instances).toHaveLength(1);
      const got = r.instances[0]!;
      // The repo's name comes from the cache folder's layout: the known repo's recipe answered.
      expect(got.repo).toBe(inst.repo);
      expect((got.repoforge as { commit: string }).commit).toBe(commit);
      const fidelity = compareWithSwebench(inst, got);
      expect({ missing: fidelity.f2pMissing, extra: fidelity.f2pExtra }).toEqual({ missing: [], extra: [] });
      expect(fidelity.p2pRecall).toBeGreaterThanOrEqual(0.95);
      mined.push(got);
    }
  });

  it('the mined instances resolve under eval run with their gold patches and fail without', {
    timeout: 3_600_000,
  }, async () => {
    expect(mined).toHaveLength(IDS.length);
    const evaluate = (runId: string, predictions: Parameters<typeof runEvaluation>[0]['predictions']) =>
      runEvaluation({
        dataset: mined,
        predictions,
        runId,
        reportDir: root.path,
        envSpecs: {},
        // What `repoforge eval run` uses with no options.
        recipes: 'debian',
        recipeOptions: { debianBase: baseImage },
        repoSource: new RepoCache({ cacheDir: sharedFixture('repos'), clone: false }),
        maxWorkers: 2,
      });
    const gold = await evaluate('gold', 'gold');
    expect(gold.errors).toEqual({});
    expect(gold.summary.resolved_instances).toBe(IDS.length);
    const none = await evaluate('noop', noopPredictions(mined));
    expect(none.summary.resolved_instances).toBe(0);
    expect(none.summary.completed_instances).toBe(IDS.length);
  });
});
