import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Instance, type Prediction, parseRecords } from '@repoforge/schema';
import {
  baseImage,
  noopPredictions,
  SWEBENCH_PY7_CI_IDS,
  sharedFixture,
  skipWithoutFixturesOrDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvValidations, RepoCache, runEvaluation } from './index.js';

/**
 * SWE-bench Verified beyond django and sympy: real instances of requests, flask, pytest, pylint, sphinx,
 * seaborn and xarray with the built-in Debian recipes (bookworm, and bullseye's Python 3.9 for old versions),
 * gold patches with environment validation, then no fix. No gold patch is graded unresolved: each instance
 * resolves, or is an error that names why its environment cannot serve it. One instance per repo and Debian
 * suite runs here (CI time; test-utils' SWEBENCH_PY7_CI_IDS, whose images `npm run test:images` builds up front);
 * `npm run bench:verified` runs all 18 and prints the servability table.
 */
const CI_IDS = SWEBENCH_PY7_CI_IDS;
const UNSERVABLE: Record<string, RegExp> = {
  'psf__requests-2317': /does not pass the gold patch \(the gold patch leaves \d+ expected test\(s\) failing/,
  'pylint-dev__pylint-8898': /needs astroid>=3/,
  'sphinx-doc__sphinx-9230': /needs sphinxcontrib-applehelp \(not installed\)/,
};
const skip = await skipWithoutFixturesOrDocker('the py7 SWE-bench Verified instances are');

describe.skipIf(skip)('SWE-bench Verified beyond django and sympy, built-in Debian recipes', () => {
  const dataset = !skip
    ? parseRecords(
        readFileSync(sharedFixture('instances', 'swebench_verified_py7_subset.jsonl'), 'utf8'),
        Instance,
      ).records.filter((i) => CI_IDS.includes(i.instance_id))
    : [];
  let root: { path: string } & AsyncDisposable;
  let validations: EnvValidations;
  beforeAll(async () => {
    root = await tempDir('repoforge-py7-');
    validations = new EnvValidations(join(root.path, 'validations'));
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });
  const evaluate = (runId: string, predictions: Prediction[] | 'gold') =>
    runEvaluation({
      dataset,
      predictions,
      runId,
      reportDir: root.path,
      envSpecs: {},
      recipes: 'debian',
      recipeOptions: { debianBase: baseImage },
      repoSource: new RepoCache({ cacheDir: sharedFixture('repos'), clone: false }),
      validateEnvs: true,
      validations,
      maxWorkers: 2,
      timeoutSec: 900,
    });

  // Cold: up to ten apt image builds (seven repos, three of them on bullseye too; prebuilt by test:images), then
  // 12 instances.
  it('gold: resolved, or an error naming why the environment cannot serve it', {
    timeout: 3_600_000,
  }, async () => {
    expect(dataset).toHaveLength(CI_IDS.length);
    const { summary, errors } = await evaluate('gold', 'gold');
    expect(summary.unresolved_ids).toEqual([]);
    expect(Object.keys(errors).sort()).toEqual(Object.keys(UNSERVABLE).sort());
    for (const [id, why] of Object.entries(UNSERVABLE)) {
      expect(errors[id]?.class).toBe('unservable');
      expect(errors[id]?.reason).toMatch(why);
    }
    expect(summary.resolved_instances).toBe(CI_IDS.length - Object.keys(UNSERVABLE).length);
    // Every environment was validated once, by the gold run itself.
    expect(validations.ran).toBe(CI_IDS.length);
  });

  it('no fix: unresolved where servable, the same errors elsewhere, nothing validated again', {
    timeout: 3_600_000,
  }, async () => {
    const { summary, errors } = await evaluate('noop', noopPredictions(dataset));
    expect(summary.resolved_instances).toBe(0);
    expect(Object.keys(errors).sort()).toEqual(Object.keys(UNSERVABLE).sort());
    expect(summary.unresolved_instances).toBe(CI_IDS.length - Object.keys(UNSERVABLE).length);
    expect(validations.ran).toBe(CI_IDS.length);
  });
});
