import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBackend } from '@repoforge/sandbox';
import { renderTestCmd } from '@repoforge/schema';
import {
  exportCommit,
  makeGitRepo,
  makeNodeSample,
  runInTestbed,
  skipWithoutBwrap,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type EnvPlan, LocalEnvBuilder, planEnv, snapshotFromGit } from './index.js';

/** Runs the spec's tests for a commit in a network-less local sandbox in the built environment. */
async function runTests(
  repoDir: string,
  commit: string,
  spec: EnvPlan,
  image: string,
  extra = '',
): Promise<string> {
  const work = await exportCommit(repoDir, commit, join(repoDir, '..'));
  await using sb = await new LocalBackend().create({ image, network: 'none' });
  return await runInTestbed(sb, work, [...spec.preTest, extra, renderTestCmd(spec.testCmd, [])]);
}

describe.skipIf(await skipWithoutBwrap())('local environments (no Docker)', async () => {
  const cache = await tempDir();
  afterAll(() => cache[Symbol.asyncDispose]());
  const builder = new LocalEnvBuilder({ cacheDir: cache.path });

  it('a Node repo with npm dependencies: Node from npm, deps installed once, tests run offline', async () => {
    await using root = await tempDir();
    const { instance } = await makeNodeSample(root.path);
    const dir = join(root.path, 'acme', 'doubler');
    const spec = await planEnv(
      await snapshotFromGit({ gitdir: join(dir, '.git'), oid: instance.base_commit }),
    );
    const env = await builder.ensure(spec);
    expect(env.image.startsWith(cache.path)).toBe(true);
    expect(existsSync(join(env.image, 'deps/node_modules/mocha'))).toBe(true);
    expect(existsSync(join(env.runtimeImage, 'bin/node'))).toBe(true);
    // node_modules stays writable for tool caches (vitest writes node_modules/.vite) though the deps are read-only.
    const writes =
      'mkdir -p node_modules/.vite && echo cache-ok; touch /opt/deps/node_modules/x 2>/dev/null || echo deps-ro';
    const out = await runTests(dir, instance.base_commit, spec, env.image, writes);
    expect(out).toMatch(/cache-ok\ndeps-ro/);
    expect(out).toMatch(/1 passing/);
    expect(out).toMatch(/rejects strings/);
    const again = await new LocalEnvBuilder({ cacheDir: cache.path }).ensure(spec);
    expect(again).toMatchObject({ image: env.image, cached: true, runtimeImage: env.runtimeImage });
  });

  it('a Python repo with Debian packages uses the host python3 and pytest', async () => {
    await using root = await tempDir();
    const dir = join(root.path, 'acme', 'calc');
    const [c1] = await makeGitRepo(dir, [
      {
        message: 'calc',
        files: {
          'requirements-dev.txt': 'pytest\n',
          'calc.py': 'def add(a, b):\n    return a + b\n',
          'tests/test_calc.py': 'from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n',
        },
      },
    ]);
    const spec = await planEnv(await snapshotFromGit({ gitdir: join(dir, '.git'), oid: c1! }));
    expect(spec.install).toMatchObject({ strategy: 'apt', packages: ['python3-pytest'] });
    const env = await builder.ensure(spec);
    expect(env.missingPackages).toEqual([]);
    expect(await runTests(dir, c1!, spec, env.image)).toMatch(/1 passed/);
  });

  it('a system package the host lacks is an error naming the apt command', async () => {
    const spec: EnvPlan = {
      ecosystem: 'python',
      runtime: { name: 'python', version: '3' },
      systemPackages: ['git', 'cowsay'],
      install: { strategy: 'apt', packages: [], unmapped: [] },
      preTest: [],
      testCmd: 'true',
      logParser: 'parse_log_pytest',
      testRunner: 'pytest',
      notes: [],
    };
    await expect(builder.ensure(spec)).rejects.toThrow(
      /cowsay is not installed\. hint: apt-get install -y cowsay/,
    );
  });
});
