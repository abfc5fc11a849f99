/**
 * Storage benchmark: >= 30 instances across 2 repos (Python and Node demo histories generated here, with a
 * dependency change half-way), mined and validated by the real pipeline, then the storage of their shared
 * environments against one image per instance (env + repo at base_commit + installed deps), and what a registry
 * holds for them once pushed (compressed layers, each once; needs tools/setup-registry.sh).
 *   npx tsx --conditions=@repoforge/source tools/bench/storage.ts [--fixes 16]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mineRepository } from '@repoforge/datagen';
import { createDemoRepos } from '@repoforge/datagen/demo';
import { EnvBuilder, measureDatasetStorage } from '@repoforge/deps';
import { lazyImageBuilder, registryUsage } from '@repoforge/sandbox';
import { tempDir } from '@repoforge/test-utils';

const { values } = parseArgs({
  options: {
    fixes: { type: 'string', default: '16' },
    /** Also push the environment images to this registry (host:port/prefix) and measure what it holds. */
    registry: { type: 'string', default: `127.0.0.1:5000/bench-storage-${process.pid}` },
  },
});
const fixes = Number(values.fixes);
await using root = await tempDir('repoforge-bench-storage-');
const repos = await createDemoRepos(join(root.path, 'repos'), {
  fixes,
  dependencyChangeAfter: Math.floor(fixes / 2),
});
const envBuilder = new EnvBuilder();
const t0 = performance.now();
const mined = [];
for (const [dir, name] of [
  [repos.python, 'demo/mathlib'],
  [repos.node, 'demo/strings'],
] as const) {
  const r = await mineRepository({
    repo: dir,
    repoName: name,
    out: join(root.path, `${name.replace('/', '__')}.jsonl`),
    runs: 1,
    workers: 2,
    envBuilder,
  });
  mined.push(...r.instances.map((i) => ({ i, gitdir: join(dir, '.git') })));
}
const minutes = (performance.now() - t0) / 60000;
const s = await measureDatasetStorage(
  mined.map(({ i, gitdir }) => ({
    id: i.instance_id,
    image: (i.repoforge as { env_image: string }).env_image,
    gitdir,
    baseCommit: i.base_commit,
  })),
);
// The same environments shared through a registry (as `--env-registry` pushes them): what its disk holds.
const registry = lazyImageBuilder({ registry: { registry: values.registry! } });
const envImages = [...new Set(mined.map(({ i }) => (i.repoforge as { env_image: string }).env_image))];
for (const tag of envImages)
  await registry.ensure(tag, async () => {
    throw new Error(`${tag} was used by the run but is gone from the engine`);
  });
const held = await registryUsage(values.registry!);
console.log(
  JSON.stringify(
    {
      benchmark: 'storage',
      repos: 2,
      instances_validated: s.instances,
      environment_images: s.images,
      total_mb: Math.round(s.totalBytes / 1048576),
      amortized_mb_per_instance: s.amortizedMBPerInstance,
      baseline_mb_per_instance: s.baselineMBPerInstance,
      ratio_vs_one_image_per_instance: s.ratio,
      registry: {
        ...held,
        mb: Math.round(held.bytes / 1048576),
        mb_per_instance: Math.round((held.bytes / 1048576 / s.instances) * 10) / 10,
      },
      mining_minutes: Math.round(minutes * 10) / 10,
      instances_per_hour: Math.round(s.instances / (minutes / 60)),
      goals: {
        at_most_10mb_per_instance: s.amortizedMBPerInstance <= 10,
        at_least_20x: s.ratio >= 20,
        at_least_30_instances: s.instances >= 30,
      },
    },
    null,
    2,
  ),
);
