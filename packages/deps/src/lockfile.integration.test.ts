import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSandbox } from '@repoforge/sandbox';
import { ImageBuilder } from '@repoforge/sandbox/docker';
import { baseImage, npmAppSpec, serveNpmRegistry, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvBuilder, type EnvPlan, envPlanHash } from './index.js';

const lp = (version: string) => ({
  manifest: { name: 'lp', version, main: 'index.js' },
  files: { 'index.js': `module.exports = '${version}';\n` },
});

describe.skipIf(await skipWithoutDocker())('a repo without a lockfile', () => {
  it("keeps the first successful install's lockfile, so a rebuild of the same dependencies installs the same versions", async () => {
    await using root = await tempDir();
    await using registry = await serveNpmRegistry(root.path);
    await registry.publish([lp('1.0.0')]);
    const spec: EnvPlan = npmAppSpec({ registry: registry.base, dependencies: { lp: '^1.0.0' } });
    const lockCacheDir = join(root.path, 'locks');
    const builder = new EnvBuilder({ baseImage, lockCacheDir });
    const installed = async (image: string) => {
      await using sb = await createSandbox({ backend: 'docker', image, network: 'none' });
      return (await sb.exec(['node', '-p', "require('/opt/deps/node_modules/lp')"])).stdout.trim();
    };
    const first = await builder.ensure(spec);
    expect(await installed(first.image)).toBe('1.0.0');
    const saved = JSON.parse(await readFile(join(lockCacheDir, `${envPlanHash(spec)}.json`), 'utf8'));
    expect(saved.packages['node_modules/lp'].version).toBe('1.0.0');
    // A newer version appears upstream; the environment is built again (its image was pruned).
    await registry.publish([lp('1.0.0'), lp('1.1.0')]);
    await new ImageBuilder().docker.getImage(first.image).remove({ force: true });
    const again = await new EnvBuilder({ baseImage, lockCacheDir }).ensure(spec);
    expect(await installed(again.image)).toBe('1.0.0');
    // Without the kept lockfile the same plan drifts to 1.1.0: the lockfile is what held it.
    await new ImageBuilder().docker.getImage(again.image).remove({ force: true });
    const drifted = await new EnvBuilder({ baseImage }).ensure(spec);
    expect(await installed(drifted.image)).toBe('1.1.0');
  });
});
