import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSpec } from '@repoforge/schema';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvImages } from './env-images.js';

/** A real git repo with three commits: C sources, then a C change, then a README change. */
function repoWithHistory(dir: string): string[] {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir })
      .toString()
      .trim();
  git('init', '-q');
  mkdirSync(join(dir, 'src'));
  const commit = (file: string, text: string) => {
    writeFileSync(join(dir, file), text);
    git('add', '-A');
    git('commit', '-qm', file);
    return git('rev-parse', 'HEAD');
  };
  writeFileSync(join(dir, 'setup.py'), 'setup()\n');
  return [commit('src/a.c', 'int a;\n'), commit('src/a.c', 'int a = 1;\n'), commit('README', 'docs\n')];
}

describe('EnvImages.installKey', () => {
  it('keys a build by a directory of sources: a C change rebuilds, a README change shares the image', async () => {
    await using dir = await tempDir('repoforge-install-key-');
    const [first, cChange, readme] = repoWithHistory(dir.path);
    const images = new EnvImages({
      builder: {} as never,
      createSandbox: () => Promise.reject(new Error('none')),
    });
    const spec = EnvSpec.parse({
      image: 'i',
      install: ['make'],
      install_key_files: ['setup.py', 'src'],
      test_cmd: 't',
    });
    const location = { gitdir: join(dir.path, '.git'), cache: {} };
    const key = (commit: string) => images.installKey(spec, 'base', location, commit);
    expect(await key(first!)).not.toBe(await key(cChange!));
    expect(await key(cChange!)).toBe(await key(readme!));
    // A key file absent at the commit keys as absent, not as an error.
    const other = EnvSpec.parse({ ...spec, install_key_files: ['setup.py', 'src', 'pyproject.toml'] });
    expect(await images.installKey(other, 'base', location, first!)).not.toBe(await key(first!));
  });
});

describe('EnvImages.imageFor', () => {
  it('builds a recipe layered, so that two workers building recipes that start alike share their layers', async () => {
    const calls: unknown[] = [];
    const images = new EnvImages({
      builder: {
        build: async (spec: unknown, options: { layered?: boolean }) => {
          calls.push([spec, options.layered]);
          return { tag: 'repoforge/env:x' };
        },
      } as never,
      createSandbox: () => Promise.reject(new Error('none')),
    });
    const spec = EnvSpec.parse({ dockerfile: 'FROM b\nRUN a\nRUN b\n', test_cmd: 't' });
    const instance = { instance_id: 'i', base_commit: 'c' };
    expect(await images.imageFor(spec, instance, undefined)).toBe('repoforge/env:x');
    expect(calls).toEqual([[{ dockerfile: 'FROM b\nRUN a\nRUN b\n' }, true]]);
  });
});
