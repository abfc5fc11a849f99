import { join } from 'node:path';
import { createSandbox } from '@repoforge/sandbox';
import { renderTestCmd } from '@repoforge/schema';
import {
  baseImage,
  exportCommit,
  makeGitRepo,
  makeNodeSample,
  runInTestbed,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvBuilder, type EnvPlan, planEnv, slimByAccessTrace, snapshotFromGit } from './index.js';

/** Runs the spec's tests for a commit in a network-less sandbox from the built image. */
async function runTests(repoDir: string, commit: string, spec: EnvPlan, image: string): Promise<string> {
  const work = await exportCommit(repoDir, commit, join(repoDir, '..'));
  await using sb = await createSandbox({ backend: 'docker', image, network: 'none' });
  return await runInTestbed(sb, work, [...spec.preTest, renderTestCmd(spec.testCmd, [])]);
}

describe.skipIf(await skipWithoutDocker())('environments on real Docker', () => {
  const builder = new EnvBuilder({ baseImage });

  it('a Node repo with npm dependencies gets an environment whose tests run (no network at test time)', async () => {
    await using root = await tempDir();
    const { instance } = await makeNodeSample(root.path);
    const dir = join(root.path, 'acme', 'doubler');
    const spec = await planEnv(
      await snapshotFromGit({ gitdir: join(dir, '.git'), oid: instance.base_commit }),
    );
    expect(spec).toMatchObject({ ecosystem: 'node', testRunner: 'mocha' });
    const env = await builder.ensure(spec);
    const out = await runTests(dir, instance.base_commit, spec, env.image);
    expect(out).toMatch(/1 passing/);
    expect(out).toMatch(/rejects strings/);
  });

  it('the access-trace pass drops packages no test loads, and keeps the slim image only because the tests still pass', async () => {
    await using root = await tempDir();
    const { instance } = await makeNodeSample(root.path);
    const dir = join(root.path, 'acme', 'doubler');
    const spec = await planEnv(
      await snapshotFromGit({ gitdir: join(dir, '.git'), oid: instance.base_commit }),
    );
    const env = await builder.ensure(spec);
    const work = await exportCommit(dir, instance.base_commit, root.path);
    const test = (sb: import('@repoforge/sandbox').Sandbox, extra = '') =>
      runInTestbed(sb, work, [...spec.preTest, extra, renderTestCmd(spec.testCmd, [])]);
    const r = await slimByAccessTrace({
      image: env.image,
      runTests: async (sb, traceEnv) => {
        expect(await test(sb, traceEnv)).toMatch(/1 passing/);
      },
      validate: async (slim) => {
        await using sb = await createSandbox({ backend: 'docker', image: slim, network: 'none' });
        return /1 passing/.test(await test(sb));
      },
    });
    expect(r.kept).toBe(true);
    expect(r.removed.length).toBeGreaterThan(0);
    expect(r.removed.some((p) => p.endsWith('/mocha') || p.endsWith('/is-number'))).toBe(false);
    expect(r.bytesSaved).toBeGreaterThan(0);
  });

  it('a Python repo with Debian dependencies; same dependency spec shares an image, a changed one does not', async () => {
    await using root = await tempDir();
    const dir = join(root.path, 'acme', 'conf');
    const test =
      'import yaml\nfrom conf import load\n\ndef test_load():\n    assert load("a: 1") == {"a": 1}\n';
    const [c1, c2, c3] = await makeGitRepo(dir, [
      {
        message: 'conf',
        files: {
          'requirements.txt': 'PyYAML>=5\n',
          'conf.py': 'import yaml\n\ndef load(s):\n    return yaml.safe_load(s)\n',
          'tests/test_conf.py': test,
        },
      },
      {
        message: 'source change only',
        files: { 'conf.py': 'import yaml\n\n\ndef load(s):\n    return yaml.safe_load(s) or {}\n' },
      },
      { message: 'new dependency', files: { 'requirements.txt': 'PyYAML>=5\nsix\n' } },
    ]);
    const plan = async (oid: string) =>
      planEnv(await snapshotFromGit({ gitdir: join(dir, '.git'), oid: oid! }));
    const [s1, s2, s3] = [await plan(c1!), await plan(c2!), await plan(c3!)];
    expect(s1.install).toMatchObject({ strategy: 'apt', packages: ['python3-pytest', 'python3-yaml'] });
    const e1 = await builder.ensure(s1);
    const e2 = await new EnvBuilder({ baseImage }).ensure(s2);
    const e3 = await builder.ensure(s3);
    expect(e2.image).toBe(e1.image);
    expect(e2.cached).toBe(true);
    expect(e3.image).not.toBe(e1.image);
    expect(e3.runtimeImage).toBe(e1.runtimeImage); // the runtime layer is shared across dependency sets
    expect(await runTests(dir, c2!, s2, e2.image)).toMatch(/1 passed/);
    expect(e1.missingPackages).toEqual([]);
  });
});
