/**
 * Builds, once and up front, the Docker images the integration tests use (the sample repos' environments and
 * the built-in SWE-bench Debian recipes), so no test pays a cold apt build inside its own timeout. Each image
 * is keyed by the hash of its Dockerfile, exactly as the tests build it: a rerun is a no-op.
 *   npx tsx --conditions=@repoforge/source tools/prepare-test-images.ts
 * Without a Docker engine it says so and exits 0 (the Docker tests then skip loudly, or fail in CI).
 */
import { DEFAULT_DEBIAN_BASE, swebenchRecipe } from '@repoforge/harness';
import { ImageBuilder } from '@repoforge/sandbox/docker';
import { baseImage, dockerAnswers, sampleEnvSpecs } from '@repoforge/test-utils';

if (!(await dockerAnswers())) {
  console.log('[prepare-test-images] no Docker engine answers: nothing built (Docker tests will skip)');
  process.exit(0);
}
const dockerfiles = new Map<string, string>();
for (const [repo, versions] of Object.entries(sampleEnvSpecs(baseImage)))
  for (const spec of Object.values(versions)) dockerfiles.set(repo, spec.dockerfile);
for (const repo of ['django/django', 'sympy/sympy']) {
  const spec = swebenchRecipe({ repo }, 'debian', { debianBase: baseImage ?? DEFAULT_DEBIAN_BASE });
  if (spec?.dockerfile) dockerfiles.set(`${repo} (debian recipe)`, spec.dockerfile);
}
// Two builds at once: a build waits on downloads (apt, npm) as much as on the CPU, so two overlap well on 2 cores.
const builder = new ImageBuilder({ concurrency: 2 });
const started = performance.now();
await Promise.all(
  [...dockerfiles].map(async ([what, dockerfile]) => {
    const t = performance.now();
    let last = 0;
    const r = await builder.build(
      { dockerfile },
      {
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
