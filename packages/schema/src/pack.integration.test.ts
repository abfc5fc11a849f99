import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgDir = join(import.meta.dirname, '..');

// What a user gets from the registry: the packed tarball, installed into an empty project.
describe('npm pack', () => {
  it('installs into an empty project and works from import and require', async () => {
    await using dir = await tempDir('repoforge-pack-');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir.path], { cwd: pkgDir });
    const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
    await writeFile(join(dir.path, 'package.json'), '{"name":"consumer","private":true}');
    await run('npm', ['install', '--no-audit', '--no-fund', join(dir.path, filename)], { cwd: dir.path });
    const probe = `const l = JSON.stringify(S.TestList.parse("['a', 'b']")); console.log(l, typeof N.writeFileAtomic);`;
    await writeFile(
      join(dir.path, 'esm.mjs'),
      `import * as S from '@repoforge/schema'; import * as N from '@repoforge/schema/node'; ${probe}`,
    );
    await writeFile(
      join(dir.path, 'cjs.cjs'),
      `const S = require('@repoforge/schema'); const N = require('@repoforge/schema/node'); ${probe}`,
    );
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const out = await run('node', [file], { cwd: dir.path });
      expect(out.stdout.trim()).toBe('["a","b"] function');
    }
  });
});
