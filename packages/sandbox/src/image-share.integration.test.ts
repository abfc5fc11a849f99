import { baseImage, registryHost, skipWithoutDocker, skipWithoutRegistry } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { ImageBuilder } from './docker.js';
import { type BuildLease, createSandbox, registryUsage } from './index.js';

const uniq = `${process.pid}-${Date.now()}`;
// Docker and the loopback registry (tools/setup-registry.sh): both required in CI.
const skip = (await skipWithoutDocker()) || (await skipWithoutRegistry());

/** A lease shared by builders in this process, standing in for the Redis one (tested in @repoforge/harness). */
function memoryLease(): BuildLease & { maxHolders: number } {
  const tails = new Map<string, Promise<unknown>>();
  const holders = new Map<string, number>();
  const lease = {
    /** The most holders one key ever had at once. */
    maxHolders: 0,
    async hold<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve();
      const run = before
        .catch(() => {})
        .then(async () => {
          holders.set(key, (holders.get(key) ?? 0) + 1);
          lease.maxHolders = Math.max(lease.maxHolders, holders.get(key)!);
          try {
            return await fn();
          } finally {
            holders.set(key, holders.get(key)! - 1);
          }
        });
      tails.set(key, run);
      return run;
    },
  };
  return lease;
}

async function marker(image: string): Promise<string> {
  const sb = await createSandbox({ backend: 'docker', image });
  try {
    return (await sb.exec('cat /opt/marker')).stdout.trim();
  } finally {
    await sb.close();
  }
}

describe.skipIf(skip)(
  'environment images shared through a registry (two engines, one of them without the image)',
  () => {
    const registry = `${registryHost}/repoforge-test-${uniq}`;

    it('an image built and pushed by one builder is pulled, not built, by another', async () => {
      const spec = {
        dockerfile: `FROM ${baseImage}\nRUN echo built-${uniq} > /opt/marker`,
        labels: { 'repoforge.test': uniq },
      };
      const first = new ImageBuilder({ repository: 'repoforge/test-share', registry: { registry } });
      const built = await first.build(spec);
      expect(built.cached).toBe(false);
      expect(first.shareStats).toEqual({ pulled: [], pushed: [built.tag], built: [built.tag] });

      // The second machine's engine has never seen the image.
      await first.remove(built.tag);
      const second = new ImageBuilder({ repository: 'repoforge/test-share', registry: { registry } });
      const again = await second.build(spec);
      expect(again).toMatchObject({ tag: built.tag, cached: true });
      expect(second.shareStats).toEqual({ pulled: [built.tag], pushed: [], built: [] });
      // Only the local name refers to the pulled image: removing it frees the image.
      const pulled = await second.docker.getImage(built.tag).inspect();
      expect(pulled.RepoTags).toEqual([built.tag]);
      expect(pulled.RepoDigests ?? []).toEqual([]);
      expect(await marker(built.tag)).toBe(`built-${uniq}`);
      await second.remove(built.tag);
      // What the registry holds for this prefix: the one image, its layers and config counted once.
      const usage = await registryUsage(registry);
      expect(usage).toMatchObject({ repositories: 1, images: 1 });
      expect(usage.blobs).toBeGreaterThanOrEqual(2);
      expect(usage.bytes).toBeGreaterThan(0);
    });

    it('ensure: builders racing for a missing image under one lease produce it once; a later one pulls it', async () => {
      const lease = memoryLease();
      const tag = `repoforge/test-share-ensure:${uniq}`;
      let produced = 0;
      const builders = [1, 2].map(() => new ImageBuilder({ registry: { registry, lease } }));
      const produce = (b: ImageBuilder) => async () => {
        produced++;
        await b.build({ dockerfile: `FROM ${baseImage}\nRUN echo ensured-${uniq} > /opt/marker`, tag });
      };
      const cached = await Promise.all(builders.map((b) => b.ensure(tag, produce(b))));
      expect(produced).toBe(1);
      expect(cached.sort()).toEqual([false, true]);
      expect(lease.maxHolders).toBe(1);

      await builders[0]!.remove(tag);
      const third = new ImageBuilder({ registry: { registry, lease } });
      expect(await third.ensure(tag, produce(third))).toBe(true);
      expect(produced).toBe(1);
      expect(third.shareStats.pulled).toEqual([tag]);
      expect(await marker(tag)).toBe(`ensured-${uniq}`);
      await third.remove(tag);
    });

    it('a registry that does not answer builds here and says why, instead of failing', async () => {
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) };
      const builder = new ImageBuilder({
        repository: 'repoforge/test-share',
        registry: { registry: '127.0.0.1:9/repoforge' },
        logger,
      });
      const built = await builder.build({
        dockerfile: `FROM ${baseImage}\nRUN echo down-${uniq} > /opt/marker`,
      });
      expect(built.cached).toBe(false);
      expect(builder.shareStats).toMatchObject({ pulled: [], pushed: [], built: [built.tag] });
      expect(warnings.join('\n')).toMatch(/registry did not answer|pushing an environment image failed/);
      await builder.remove(built.tag);
    });
  },
);
