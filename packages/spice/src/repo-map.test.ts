import { join } from 'node:path';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { buildRepoMap, gitFileReader, rankRelated } from './index.js';

const PY = {
  'pkg/__init__.py': '',
  'pkg/core.py':
    'from .util import helper\nfrom pkg import models\nimport json\n\n\ndef run(x):\n    return helper(models.Model(x))\n',
  'pkg/util.py': 'def helper(m):\n    return m\n\n\ndef unused():\n    pass\n',
  'pkg/models.py': 'class Model:\n    def __init__(self, x):\n        self.x = x\n',
  'pkg/sibling.py': 'def other():\n    pass\n',
  'far/away.py': 'def remote():\n    pass\n',
  'far/json.py': '# shadows nothing in pkg\n',
  'web/a.ts':
    "import { bump } from './b.js';\nimport lodash from 'lodash';\nexport const a = () => bump() + 1;\n",
  'web/b.ts': 'export function bump() {\n  return 1;\n}\n',
  'web/lib/index.ts': 'export const lib = 2;\n',
};
const PATCH =
  'diff --git a/pkg/core.py b/pkg/core.py\n--- a/pkg/core.py\n+++ b/pkg/core.py\n@@ -6,2 +6,2 @@ def run(x):\n-    return helper(models.Model(x))\n+    return helper(models.Model(x + 1))\n';

describe('repo map', () => {
  it("follows the touched files' imports and neighbours from git, ranked, with reasons", async () => {
    await using dir = await tempDir();
    const [oid] = await makeGitRepo(dir.path, [{ message: 'init', files: PY }]);
    const map = await buildRepoMap(gitFileReader(join(dir.path, '.git'), oid!), PATCH, '', 3000);
    expect(map).toMatch(/^## pkg\/core.py\n6: def run\(x\):/);
    expect(map).toContain('### pkg/core.py around line 6');
    expect(map).toMatch(
      /## pkg\/util.py \(imported by pkg\/core.py; defines helper; neighbour\)\n1: def helper\(m\):/,
    );
    expect(map).toMatch(/## pkg\/models.py \(imported by pkg\/core.py; defines Model; neighbour\)/);
    expect(map).toMatch(/## pkg\/sibling.py \(neighbour\)/);
    // Ranked: imported + mentioned before mere neighbours; files in other dirs that nothing imports stay out.
    expect(map.indexOf('## pkg/util.py')).toBeLessThan(map.indexOf('## pkg/sibling.py'));
    expect(map).not.toContain('far/away.py');
    expect(map).not.toContain('web/');
  });

  it('resolves relative JS/TS imports (a .js specifier for a .ts source, index files); packages stay out', async () => {
    await using dir = await tempDir();
    const [oid] = await makeGitRepo(dir.path, [
      { message: 'init', files: { ...PY, 'web/a.ts': `${PY['web/a.ts']}import { lib } from './lib';\n` } },
    ]);
    const patch =
      'diff --git a/web/a.ts b/web/a.ts\n--- a/web/a.ts\n+++ b/web/a.ts\n@@ -3,1 +3,1 @@\n-export const a = () => bump() + 1;\n+export const a = () => bump() + 2;\n';
    const map = await buildRepoMap(gitFileReader(join(dir.path, '.git'), oid!), patch, '');
    expect(map).toMatch(
      /## web\/b.ts \(imported by web\/a.ts; defines bump; neighbour\)\n1: export function bump\(\) \{/,
    );
    expect(map).toMatch(/## web\/lib\/index.ts \(imported by web\/a.ts\)/);
    expect(map).not.toMatch(/^## .*lodash/m);
  });

  it('stays within its budget, keeping the touched file first', async () => {
    await using dir = await tempDir();
    const [oid] = await makeGitRepo(dir.path, [{ message: 'init', files: PY }]);
    const tiny = await buildRepoMap(gitFileReader(join(dir.path, '.git'), oid!), PATCH, '', 20);
    expect(tiny.length).toBeLessThanOrEqual(80);
    expect(tiny).toMatch(/^## pkg\/core.py/);
  });

  it("rankRelated: importers weigh most (the fix's double), then names the patch mentions, then neighbours", () => {
    const ranked = rankRelated({
      touched: ['src/fix.py', 'tests/test_fix.py'],
      fixFiles: new Set(['src/fix.py']),
      importsOf: new Map([
        ['src/fix.py', ['src/a.py']],
        ['tests/test_fix.py', ['src/b.py']],
      ]),
      namesOf: new Map([
        ['src/a.py', ['alpha']],
        ['src/b.py', ['beta']],
        ['src/c.py', ['gamma', 'delta']],
        ['src/d.py', ['zeta']],
      ]),
      patchText: 'gamma(delta)',
      files: ['src/a.py', 'src/b.py', 'src/c.py', 'src/d.py'],
    });
    expect(ranked.map((r) => [r.path, r.score])).toEqual([
      ['src/a.py', 7],
      ['src/b.py', 4],
      ['src/c.py', 3],
      ['src/d.py', 1],
    ]);
  });
});
