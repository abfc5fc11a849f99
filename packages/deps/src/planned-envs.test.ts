import { join } from 'node:path';
import { RepoCache } from '@repoforge/harness';
import type { Instance } from '@repoforge/schema';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import type { BuiltEnv, EnvProvider } from './build/env-builder.js';
import { plannedEnvs } from './planned-envs.js';

describe('plannedEnvs', () => {
  it('a failed environment is not built again for another commit with the same dependencies', async () => {
    await using dir = await tempDir();
    const pkg = JSON.stringify({ name: 'x', devDependencies: { mocha: '10' }, scripts: { test: 'mocha' } });
    const [a, b] = await makeGitRepo(join(dir.path, 'acme', 'lib'), [
      { message: 'one', files: { 'package.json': pkg, 'test/a.js': '' } },
      { message: 'two', files: { 'package.json': pkg, 'test/a.js': '// changed' } },
    ]);
    let builds = 0;
    const provider: EnvProvider = {
      ensure: async (): Promise<BuiltEnv> => {
        builds++;
        throw new Error('npm ERR! code E404');
      },
    };
    const envs = plannedEnvs(new RepoCache({ cacheDir: dir.path, clone: false }), undefined, provider);
    const inst = (id: string, commit: string) =>
      ({ repo: 'acme/lib', instance_id: id, base_commit: commit }) as Instance;
    await expect(envs.envOf(inst('acme__lib-1', a!))).rejects.toThrow('E404');
    await expect(envs.envOf(inst('acme__lib-2', b!))).rejects.toThrow('E404');
    expect(builds).toBe(1);
  });
});
