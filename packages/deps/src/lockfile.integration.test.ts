import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSandbox, ImageBuilder } from '@repoforge/sandbox';
import { baseImage, type Route, serveRoutes, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvBuilder, type EnvSpec, envSpecHash } from './index.js';

const run = promisify(execFile);

/** An npm tarball of a tiny package `lp@version`. */
async function pack(dir: string, version: string): Promise<Buffer> {
  const pkg = join(dir, version, 'package');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'lp', version, main: 'index.js' }));
  await writeFile(join(pkg, 'index.js'), `module.exports = '${version}';\n`);
  await run('tar', ['-czf', join(dir, `lp-${version}.tgz`), '-C', join(dir, version), 'package']);
  return readFile(join(dir, `lp-${version}.tgz`));
}

/** Registry routes (packument + tarballs) for these versions of `lp`, the newest as latest. */
function registry(base: string, tarballs: Record<string, Buffer>): Record<string, Route> {
  const versions = Object.fromEntries(
    Object.entries(tarballs).map(([v, tgz]) => [
      v,
      {
        name: 'lp',
        version: v,
        dist: { tarball: `${base}/lp/-/lp-${v}.tgz`, shasum: createHash('sha1').update(tgz).digest('hex') },
      },
    ]),
  );
  const latest = Object.keys(tarballs).sort().at(-1)!;
  return {
    '/lp': {
      type: 'application/json',
      body: JSON.stringify({ name: 'lp', 'dist-tags': { latest }, versions }),
    },
    ...Object.fromEntries(Object.entries(tarballs).map(([v, tgz]) => [`/lp/-/lp-${v}.tgz`, { body: tgz }])),
  };
}

describe.skipIf(await skipWithoutDocker())('a repo without a lockfile', () => {
  it("keeps the first successful install's lockfile, so a rebuild of the same dependencies installs the same versions", async () => {
    await using root = await tempDir();
    const v1 = await pack(root.path, '1.0.0');
    const v2 = await pack(root.path, '1.1.0');
    const routes: Record<string, Route> = {};
    await using server = await serveRoutes(routes);
    Object.assign(routes, registry(server.base, { '1.0.0': v1 }));
    const spec: EnvSpec = {
      ecosystem: 'node',
      runtime: { name: 'node', version: '20.19.0' },
      systemPackages: ['git', 'patch', 'ca-certificates'],
      install: {
        strategy: 'npm',
        files: {
          'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { lp: '^1.0.0' } }),
          '.npmrc': `registry=${server.base}/\n`,
        },
        command: 'npm install --no-audit --no-fund --ignore-scripts',
      },
      preTest: [],
      testCmd: 'true',
      logParser: 'parse_log_tap',
      testRunner: 'none',
      notes: [],
    };
    const lockCacheDir = join(root.path, 'locks');
    const builder = new EnvBuilder({ baseImage, lockCacheDir });
    const installed = async (image: string) => {
      await using sb = await createSandbox({ backend: 'docker', image, network: 'none' });
      return (await sb.exec(['node', '-p', "require('/opt/deps/node_modules/lp')"])).stdout.trim();
    };
    const first = await builder.ensure(spec);
    expect(await installed(first.image)).toBe('1.0.0');
    const saved = JSON.parse(await readFile(join(lockCacheDir, `${envSpecHash(spec)}.json`), 'utf8'));
    expect(saved.packages['node_modules/lp'].version).toBe('1.0.0');
    // A newer version appears upstream; the environment is built again (its image was pruned).
    Object.assign(routes, registry(server.base, { '1.0.0': v1, '1.1.0': v2 }));
    await new ImageBuilder().docker.getImage(first.image).remove({ force: true });
    const again = await new EnvBuilder({ baseImage, lockCacheDir }).ensure(spec);
    expect(await installed(again.image)).toBe('1.0.0');
    // Without the kept lockfile the same plan drifts to 1.1.0: the lockfile is what held it.
    await new ImageBuilder().docker.getImage(again.image).remove({ force: true });
    const drifted = await new EnvBuilder({ baseImage }).ensure(spec);
    expect(await installed(drifted.image)).toBe('1.1.0');
  });
});
