import { readFileSync } from 'node:fs';
import { ImageBuilder, imageSpecHash } from '@repoforge/sandbox/docker';
import { Instance, type Prediction, parseRecords } from '@repoforge/schema';
import {
  baseImage,
  noopPredictions,
  type PypiStandin,
  registryHost,
  sharedFixture,
  skipWithoutFixturesOrDocker,
  skipWithoutRegistry,
  startPypiStandin,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RepoCache, runEvaluation, swebenchRecipe } from './index.js';

/**
 * The pip flavour as a user with PyPI and Docker Hub runs it, against loopback stand-ins of both (this machine
 * reaches neither): the recipe's `FROM python:3.11` is pulled from a registry on 127.0.0.1, and its install
 * steps (`pip install -r tests/requirements/py3.txt`, `pip install -e .`, build isolation included) resolve
 * every requirement from a PEP 503 index of wheels made from Debian's packages. The instances are the real
 * django 5.0 ones, whose SWE-bench Python is 3.11 — the one Python the stand-in has.
 */
const skip =
  (await skipWithoutFixturesOrDocker('the pip recipe flavour on real django instances is')) ||
  (await skipWithoutRegistry());

// django 5.0's tests/requirements/py3.txt, as Debian packages (the stand-in makes PyPI's tzdata itself).
const DJANGO_REQUIREMENTS = [
  'python3-aiosmtpd',
  'python3-asgiref',
  'python3-argon2',
  'python3-bcrypt',
  'black',
  'python3-docutils',
  'python3-geoip2',
  'python3-jinja2',
  'python3-numpy',
  'python3-pil',
  'python3-pylibmc',
  'python3-pymemcache',
  'python3-pywatchman',
  'python3-yaml',
  'python3-redis',
  'python3-selenium',
  'python3-sqlparse',
  'python3-tblib',
  // What pip's build isolation installs to build django itself.
  'python3-setuptools',
  'python3-wheel',
];

describe.skipIf(skip)('pip recipe flavour against PyPI and Docker Hub stand-ins', () => {
  const dataset = !skip
    ? parseRecords(
        readFileSync(sharedFixture('instances', 'swebench_verified_real_subset.jsonl'), 'utf8'),
        Instance,
      ).records.filter((i) => i.repo === 'django/django' && i.version === '5.0')
    : [];
  const builder = new ImageBuilder();
  let root: { path: string } & AsyncDisposable;
  let standin: PypiStandin;
  // Cold: two apt image builds (the wheel builder, the Python image), a push, then the recipe's own build.
  beforeAll(async () => {
    root = await tempDir('repoforge-pip-recipes-');
    standin = await startPypiStandin({
      build: async (spec) => (await builder.build(spec)).tag,
      base: baseImage,
      registry: registryHost,
      debianPackages: DJANGO_REQUIREMENTS,
    });
  }, 1_800_000);
  afterAll(async () => {
    await standin?.[Symbol.asyncDispose]();
    await root?.[Symbol.asyncDispose]();
  });
  const options = () => ({ pythonImage: standin.pythonImage, pipIndexUrl: standin.indexUrl });
  const evaluate = (runId: string, predictions: Prediction[] | 'gold') =>
    runEvaluation({
      dataset,
      predictions,
      runId,
      reportDir: root.path,
      envSpecs: {},
      recipes: 'pip',
      recipeOptions: options(),
      repoSource: new RepoCache({ cacheDir: sharedFixture('repos'), clone: false }),
      maxWorkers: 2,
      timeoutSec: 900,
    });

  it('pulls the Python image, installs from the index and resolves every gold patch', {
    timeout: 1_800_000,
  }, async () => {
    expect(dataset.map((i) => i.instance_id).sort()).toEqual([
      'django__django-16454',
      'django__django-16485',
    ]);
    expect(await builder.exists(standin.pushed)).toBe(false);
    // The recipe's image from an earlier run would skip the pull this test is about.
    const recipe = swebenchRecipe(dataset[0]!, 'pip', options())!;
    const earlier = `repoforge/env:${imageSpecHash(recipe.dockerfile!, []).slice(0, 20)}`;
    await builder.docker
      .getImage(earlier)
      .remove({ force: true })
      .catch(() => undefined);
    const { summary, outcomes } = await evaluate('gold', 'gold');
    const why = outcomes
      .filter((o) => !o.report?.resolved)
      .map((o) => `${o.instance_id}: ${o.error ?? JSON.stringify(o.report?.tests_status)}`.slice(0, 2000));
    expect(why).toEqual([]);
    expect(summary.resolved_instances).toBe(2);
    expect(await builder.exists(standin.pushed)).toBe(true); // pulled through the engine
    // Every requirement came from the index (the build has no other source), setuptools for the build too.
    for (const project of ['asgiref', 'sqlparse', 'selenium', 'tzdata', 'setuptools'])
      expect(standin.hits).toContain(`/simple/${project}/`);
    for (const o of outcomes) expect(JSON.parse(o.files['environment.json']!).detail).toMatch(/^pip:/);
  });

  it('resolves none without the fix', { timeout: 1_800_000 }, async () => {
    const { summary } = await evaluate('noop', noopPredictions(dataset));
    expect(summary.completed_instances).toBe(2);
    expect(summary.resolved_instances).toBe(0);
  });
});
