import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgs = join(import.meta.dirname, '..', '..');

// What another labeling project gets: the packed tarballs in an empty project, no Docker, no harness.
describe('npm pack', () => {
  it('installs into an empty project without Docker or the harness and labels a JSONL file offline', async () => {
    await using dir = await tempDir('repoforge-spice-pack-');
    const pack = async (name: string) => {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir.path], {
        cwd: join(pkgs, name),
      });
      return join(dir.path, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
    };
    const tarballs = [await pack('schema'), await pack('llm'), await pack('grammars'), await pack('spice')];
    await writeFile(join(dir.path, 'package.json'), '{"name":"labeler","private":true,"type":"module"}');
    await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
      cwd: dir.path,
      maxBuffer: 1 << 24,
    });
    const { stdout: tree } = await run('npm', ['ls', '--all', '--parseable'], {
      cwd: dir.path,
      maxBuffer: 1 << 24,
    });
    expect(tree).not.toMatch(/dockerode|@repoforge\/(harness|sandbox)/);
    const row = {
      instance_id: 'o__r-1',
      repo: 'o/r',
      patch: 'diff --git a/a.py b/a.py\n@@ -1 +1 @@\n-a\n+b\n',
      test_patch: '',
      problem_statement: 'b please',
      FAIL_TO_PASS: ['t'],
      PASS_TO_PASS: [],
    };
    await writeFile(join(dir.path, 'in.jsonl'), `${JSON.stringify(row)}\n`);
    await writeFile(
      join(dir.path, 'label.mjs'),
      `import { readFileSync } from 'node:fs'; import { labelOffline } from '@repoforge/spice';
       for (const line of readFileSync('in.jsonl', 'utf8').split('\\n').filter(Boolean)) console.log(JSON.stringify(await labelOffline(JSON.parse(line))));`,
    );
    const { stdout } = await run('node', ['label.mjs'], { cwd: dir.path });
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ instance_id: 'o__r-1', source: 'offline', cost_usd: 0 });
    expect([0, 1, 2, 3]).toContain(out.difficulty);
  });
});
