import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import { Instance, type Prediction, parseRecords } from '@repoforge/schema';
import {
  baseImage,
  noopPredictions,
  sharedFixture,
  skipWithoutFixturesOrDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepoCache, runEvaluation } from './index.js';

/**
 * The 24 real SWE-bench Verified instances of ../shared/fixtures (django 3.0-5.0, sympy 1.2-1.12), evaluated
 * with the built-in Debian recipes, no hand-written env spec, the shared shallow repos and network none:
 * gold patches resolve and the same tests without the fix resolve none. CI time: one instance per repo and
 * version family, both ways (6 of 24); `npm run bench:verified -- --dataset <real subset>` runs all 24 both
 * ways (figures in the harness README).
 */
const run = promisify(execFile);
const skip = await skipWithoutFixturesOrDocker('the 24 real SWE-bench instances are');

describe.skipIf(skip)('real SWE-bench Verified instances, built-in Debian recipes', () => {
  const dataset = !skip
    ? parseRecords(
        readFileSync(sharedFixture('instances', 'swebench_verified_real_subset.jsonl'), 'utf8'),
        Instance,
      ).records
    : [];
  let root: { path: string } & AsyncDisposable;
  beforeAll(async () => {
    root = await tempDir('repoforge-swebench-');
  });
  afterAll(async () => {
    await root?.[Symbol.asyncDispose]();
  });
  const evaluate = (runId: string, predictions: Prediction[] | 'gold', instances = dataset) =>
    runEvaluation({
      dataset: instances,
      predictions,
      runId,
      reportDir: root.path,
      envSpecs: {},
      recipes: 'debian',
      recipeOptions: { debianBase: baseImage },
      repoSource: new RepoCache({ cacheDir: sharedFixture('repos'), clone: false }),
      maxWorkers: 2,
      timeoutSec: 900,
    });

  // One instance per repo and version family (the recipes' Python and Debian suite change by family; every
  // version's instances run in bench:verified).
  const FAMILY_IDS = [
    'django__django-11790', // 3.1
    'django__django-13925', // 4.0
    'django__django-16485', // 5.0
    'sympy__sympy-15345', // 1.4
    'sympy__sympy-19346', // 1.7
    'sympy__sympy-23824', // 1.12
  ];
  const families = () => {
    const some = dataset.filter((i) => FAMILY_IDS.includes(i.instance_id));
    expect(some).toHaveLength(FAMILY_IDS.length);
    return some;
  };

  // Cold: two apt image builds (django, sympy; prebuilt by test:images), then 6 instances on 2 workers.
  it('resolves every gold patch (one instance per version family)', { timeout: 3_600_000 }, async () => {
    expect(dataset).toHaveLength(24);
    const { summary, outcomes } = await evaluate('gold', 'gold', families());
    const why = outcomes
      .filter((o) => !o.report?.resolved)
      .map((o) => `${o.instance_id}: ${o.error ?? JSON.stringify(o.report?.tests_status)}`.slice(0, 600));
    expect(why).toEqual([]);
    expect(summary.resolved_instances).toBe(FAMILY_IDS.length);
    // Directives, not whole suites: every instance ran only its own test modules.
    expect(outcomes.every((o) => !o.files['eval.sh']?.includes('{tests}'))).toBe(true);
    expect(outcomes.map((o) => o.timings)).toHaveLength(FAMILY_IDS.length);
    // The recipe images that ran are slim: no perl (only git's and mailcap's extras want it), no docs or
    // translations, and an apt that still sees a consistent system (a later apt layer could install perl).
    const images = [...new Set(outcomes.map((o) => o.runtime?.image))];
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const { stdout } = await run('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        String(image),
        'sh',
        '-c',
        'echo perl=$(dpkg -l | grep -c "^ii  perl ") docs=$(find /usr/share/doc /usr/share/locale -mindepth 1 | wc -l); apt-get check -qq && git --version',
      ]);
      expect(stdout.trim().split('\n')).toEqual(['perl=0 docs=0', expect.stringMatching(/^git version /)]);
    }
  });

  it('resolves none without the fix (one instance per version family)', { timeout: 3_600_000 }, async () => {
    const some = families();
    const { summary } = await evaluate('noop', noopPredictions(some), some);
    expect(summary.completed_instances).toBe(FAMILY_IDS.length);
    expect(summary.resolved_instances).toBe(0);
  });
});
