import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mineRepository } from '@repoforge/datagen';
import { createDemoRepos } from '@repoforge/datagen/demo';
import { formatJsonl, serializeInstance } from '@repoforge/schema';
import {
  sharedFixture,
  skipWithoutDocker,
  skipWithoutFixturesOrDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe.skipIf(await skipWithoutDocker())('repoforge env build --share (lineage sharing)', () => {
  it('folds instances onto fewer images when their gold patches still resolve there', async () => {
    await using dir = await tempDir();
    const repos = await createDemoRepos(join(dir.path, 'repos'), { fixes: 2, dependencyChangeAfter: 1 });
    const { instances } = await mineRepository({
      repo: repos.python,
      repoName: 'demo/mathlib',
      out: join(dir.path, 'py.jsonl'),
      runs: 1,
    });
    expect(instances).toHaveLength(2);
    await writeFile(join(dir.path, 'd.jsonl'), formatJsonl(instances.map(serializeInstance)));
    const t = bufferedIO();
    t.io.cwd = dir.path;
    const args = ['env', 'build', '--dataset', 'd.jsonl', '--repo-cache', 'repos', '--json'];
    expect(await runCli([...args, '--out', 'plain.json'], t.io)).toBe(0);
    expect(JSON.parse(t.stdout()).images).toHaveLength(2); // the dependency change planned a second image
    const s = bufferedIO();
    s.io.cwd = dir.path;
    expect(await runCli([...args, '--share', '--out', 'shared.json'], s.io)).toBe(0);
    expect(JSON.parse(s.stdout()).images).toHaveLength(1);
    expect(s.stderr()).toMatch(/lineage sharing: 2 planned image\(s\) -> 1 after \d+ validation run/);
    const map = JSON.parse(await readFile(join(dir.path, 'shared.json'), 'utf8'));
    expect(new Set(Object.values(map)).size).toBe(1);
  });

  it('--slim drops packages no test loads and keeps the slimmer image only because every gold patch still resolves', async () => {
    await using dir = await tempDir();
    const repos = await createDemoRepos(join(dir.path, 'repos'), { fixes: 1 });
    const { instances } = await mineRepository({
      repo: repos.node,
      repoName: 'demo/strings',
      out: join(dir.path, 'n.jsonl'),
      runs: 1,
    });
    await writeFile(join(dir.path, 'd.jsonl'), formatJsonl(instances.map(serializeInstance)));
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(
      await runCli(
        ['env', 'build', '--dataset', 'd.jsonl', '--repo-cache', 'repos', '--slim', '--json'],
        t.io,
      ),
    ).toBe(0);
    expect(t.stderr()).toMatch(/slim repoforge\/deps:\S+: kept, \d+ package\(s\) removed, [\d.]+ MB saved/);
    expect(JSON.parse(t.stdout()).images[0]).toMatch(/:slim-/);
  });
});

describe.skipIf(await skipWithoutFixturesOrDocker('env build --explain on express is'))(
  'repoforge env build --explain (a real Multi-SWE-bench row)',
  () => {
    it('verifies the environment and prints how it was obtained', async () => {
      await using dir = await tempDir();
      const rows = (await readFile(sharedFixture('instances', 'multi_swe_bench_js.jsonl'), 'utf8'))
        .split('\n')
        .filter(
          (l) =>
            l.includes('"instance_id": "expressjs__express-3495"') ||
            l.includes('"instance_id":"expressjs__express-3495"'),
        );
      expect(rows).toHaveLength(1);
      await writeFile(join(dir.path, 'd.jsonl'), `${rows[0]}\n`);
      const t = bufferedIO();
      t.io.cwd = dir.path;
      const code = await runCli(
        [
          'env',
          'build',
          '--dataset',
          'd.jsonl',
          '--repo-cache',
          sharedFixture('repos'),
          '--explain',
          '--json',
        ],
        t.io,
      );
      expect(code).toBe(0);
      const { environments } = JSON.parse(t.stdout());
      const env = environments['expressjs__express-3495'];
      expect(env.image).toMatch(/^repoforge\/deps:/);
      expect(env.attempts.at(-1)).toMatchObject({
        outcome: 'ok',
        detail: expect.stringMatching(/^\d+ tests ran$/),
      });
    });
  },
);
