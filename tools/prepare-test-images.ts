/**
 * Builds, once and up front, the Docker images the integration tests use (the sample repos' environments and
 * the built-in SWE-bench Debian recipes of django, sympy and the py7 rows CI grades), so no test pays a cold apt
 * build inside its own timeout. `npm test` runs it first (`npm run test:images`). Each image
 * is keyed by the hash of its Dockerfile, exactly as the tests build it: a rerun is a no-op.
 *   npx tsx --conditions=@repoforge/source tools/prepare-test-images.ts
 * Without a Docker engine it says so and exits 0 (the Docker tests then skip loudly, or fail in CI).
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_DEBIAN_BASE, swebenchRecipe } from '@repoforge/harness';
import { ImageBuilder } from '@repoforge/sandbox/docker';
import { Instance, parseRecords } from '@repoforge/schema';
import {
  baseImage,
  dockerAnswers,
  SWEBENCH_PY7_CI_IDS,
  sampleEnvSpecs,
  sharedFixture,
  sharedFixturesDir,
} from '@repoforge/test-utils';

if (!(await dockerAnswers())) {
  console.log('[prepare-test-images] no Docker engine answers: nothing built (Docker tests will skip)');
  process.exit(0);
}
const dockerfiles = new Map<string, string>();
for (const [repo, versions] of Object.entries(sampleEnvSpecs(baseImage)))
  for (const spec of Object.values(versions)) dockerfiles.set(repo, spec.dockerfile);
const recipe = (instance: { repo: string; version?: string }) =>
  swebenchRecipe(instance, 'debian', { debianBase: baseImage ?? DEFAULT_DEBIAN_BASE })?.dockerfile;
for (const repo of ['django/django', 'sympy/sympy']) {
  const dockerfile = recipe({ repo });
  if (dockerfile) dockerfiles.set(`${repo} (debian recipe)`, dockerfile);
}
// The recipes of the real py7 rows CI grades (one image per repo and Debian suite; several rows can share one).
if (sharedFixturesDir()) {
  const rows = parseRecords(
    readFileSync(sharedFixture('instances', 'swebench_verified_py7_subset.jsonl'), 'utf8'),
    Instance,
  ).records.filter((i) => SWEBENCH_PY7_CI_IDS.includes(i.instance_id));
  for (const row of rows) {
    const dockerfile = recipe(row);
    if (dockerfile && ![...dockerfiles.values()].includes(dockerfile))
      dockerfiles.set(`${row.repo} ${row.version} (debian recipe)`, dockerfile);
  }
} else console.log('[prepare-test-images] no ../shared/fixtures: the py7 recipe images are not built');
// Two builds at once: a build waits on downloads (apt, npm) as much as on the CPU, so two overlap well on 2 cores.
const builder = new ImageBuilder({ concurrency: 2 });
const started = performance.now();
await Promise.all(
  [...dockerfiles].map(async ([what, dockerfile]) => {
    const t = performance.now();
    let last = 0;
    // Layered, as the harness builds recipes: images that start alike (seaborn's and xarray's 1 GB stack) share it.
    const r = await builder.build(
      { dockerfile },
      {
        layered: true,
        onProgress: () => {
          if (performance.now() - last < 30_000) return;
          last = performance.now();
          console.log(`[prepare-test-images] ${what}: building (${Math.round((last - t) / 1000)} s)`);
        },
      },
    );
    const secs = ((performance.now() - t) / 1000).toFixed(1);
    console.log(`[prepare-test-images] ${what}: ${r.tag} ${r.cached ? 'present' : `built in ${secs} s`}`);
  }),
);
console.log(`[prepare-test-images] ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
