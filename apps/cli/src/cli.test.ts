import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe('repoforge CLI', () => {
  it('prints help with commands and examples, exit 0', async () => {
    const t = bufferedIO();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/Usage: repoforge <command>/);
    expect(t.stdout()).toMatch(/version\s+print the version/);
    expect(t.stdout()).toMatch(/Examples:/);
  });

  it('a group without a command prints help and exits 2', async () => {
    const t = bufferedIO();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.stdout()).toMatch(/Commands:/);
  });

  it('unknown commands and flags are usage errors (exit 2) with a hint', async () => {
    const t = bufferedIO();
    expect(await runCli(['nope'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/^repoforge: unknown command 'nope'\nhint: /);
    const u = bufferedIO();
    expect(await runCli(['version', '--bogus'], u.io)).toBe(2);
    expect(u.stderr()).toMatch(/bogus/);
  });

  it('an unknown flag says which, and the one meant (no raw parser text)', async () => {
    const t = bufferedIO();
    expect(await runCli(['eval', 'run', '--datset', 'x'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/^repoforge: unknown option --datset \(did you mean --dataset\?\)\nhint: /);
    expect(t.stderr()).not.toMatch(/positional argument/);
  });

  it('an --env-registry that names no registry is a usage error before anything runs', async () => {
    const t = bufferedIO();
    const args = ['eval', 'run', '--dataset', 'package.json', '--run-id', 'r', '--predictions', 'gold'];
    expect(await runCli([...args, '--env-registry', 'not a registry'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(
      /^repoforge: --env-registry: expected HOST:PORT\/PREFIX .*got 'not a registry'\n/,
    );
    const w = bufferedIO();
    expect(
      await runCli(['eval', 'worker', '--queue', 'redis://127.0.0.1:1', '--env-registry', 'x'], w.io),
    ).toBe(2);
    expect(w.stderr()).toMatch(/--env-registry: expected/);
  });

  it('storage report --env-registry that names no registry is a usage error before anything runs', async () => {
    const t = bufferedIO();
    expect(
      await runCli(
        ['storage', 'report', '--dataset', 'missing.jsonl', '--env-registry', 'not a registry'],
        t.io,
      ),
    ).toBe(2);
    expect(t.stderr()).toMatch(/^repoforge: --env-registry: expected HOST:PORT\/PREFIX/);
  });

  it('a worker with a role that does not exist is a usage error naming it', async () => {
    const t = bufferedIO();
    expect(await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--roles', 'eval,nope'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(
      /^repoforge: --roles: expected a comma-separated list of eval, mine, rollout \(not: nope\)\n/,
    );
  });

  it('a --pip-index-url that is no URL is a usage error before anything runs', async () => {
    const t = bufferedIO();
    const args = ['eval', 'run', '--dataset', 'package.json', '--run-id', 'r', '--predictions', 'gold'];
    expect(await runCli([...args, '--recipes', 'pip', '--pip-index-url', 'mirror:no'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/^repoforge: --pip-index-url is not an http\(s\) URL: mirror:no\n/);
  });

  it('--version works like the version command', async () => {
    const t = bufferedIO();
    expect(await runCli(['--version'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^repoforge \d+\.\d+\.\d+ \(node /);
  });

  it('with --json an error is JSON on stdout, with its code and exit code', async () => {
    const t = bufferedIO();
    expect(await runCli(['eval', 'run', '--json', '--predictions', 'gold'], t.io)).toBe(2);
    const out = JSON.parse(t.stdout());
    expect(out).toMatchObject({
      error: { code: 'USAGE', exitCode: 2, message: expect.stringMatching(/--dataset/) },
    });
  });

  it('global options may come before the command', async () => {
    const t = bufferedIO();
    expect(await runCli(['--json', 'version'], t.io)).toBe(0);
    expect(JSON.parse(t.stdout())).toMatchObject({ repoforge: expect.any(String) });
    const u = bufferedIO();
    expect(await runCli(['--config', 'missing.json', 'version'], u.io)).toBe(2);
    expect(u.stderr()).toMatch(/--config: no such file missing\.json/);
  });

  it('prints the version, also as JSON', async () => {
    const t = bufferedIO();
    expect(await runCli(['version', '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.stdout())).toMatchObject({ repoforge: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe('configuration: flags over REPOFORGE_* env over repoforge.config.json', () => {
  it('fills options from the config file and the environment, flags winning', async () => {
    const { tempDir } = await import('@repoforge/test-utils');
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await using dir = await tempDir();
    await writeFile(
      join(dir.path, 'repoforge.config.json'),
      JSON.stringify({ backend: 'local', timeout: 30 }),
    );
    const seen: Record<string, unknown>[] = [];
    const root = {
      name: 'repoforge',
      summary: 'test',
      subcommands: [
        {
          name: 'x',
          summary: 'x',
          options: {
            backend: { type: 'string' as const, description: 'b', default: 'auto' },
            timeout: { type: 'string' as const, description: 't' },
          },
          async run(ctx: { values: Record<string, unknown> }) {
            seen.push({ ...ctx.values });
            return 0;
          },
        },
      ],
    };
    const io = (env: Record<string, string> = {}) => {
      const t = bufferedIO(env);
      t.io.cwd = dir.path;
      return t;
    };
    await runCli(['x'], io().io, { root });
    await runCli(['x'], io({ REPOFORGE_BACKEND: 'docker' }).io, { root });
    await runCli(['x', '--backend', 'auto'], io({ REPOFORGE_BACKEND: 'docker' }).io, { root });
    expect(seen.map((v) => [v.backend, v.timeout])).toEqual([
      ['local', '30'],
      ['docker', '30'],
      ['auto', '30'],
    ]);
    await writeFile(join(dir.path, 'repoforge.config.json'), JSON.stringify({ bakend: 'local' }));
    const bad = io();
    expect(await runCli(['x'], bad.io, { root })).toBe(2);
    expect(bad.stderr()).toMatch(/repoforge.config.json:1: bakend: not an option of any command/);
  });
});

describe('repoforge env plan', () => {
  it('prints the environment a commit would get, and why, building nothing', async () => {
    const { tempDir, makeGitRepo } = await import('@repoforge/test-utils');
    const { join } = await import('node:path');
    await using dir = await tempDir();
    const pkg = { name: 'x', devDependencies: { mocha: '3.5.3' }, scripts: { test: 'mocha --bail test/' } };
    const [oid] = await makeGitRepo(join(dir.path, 'r'), [
      { message: 'one', files: { 'package.json': JSON.stringify(pkg), 'test/a.js': '' } },
    ]);
    const t = bufferedIO();
    expect(
      await runCli(['env', 'plan', '--repo', join(dir.path, 'r'), '--commit', oid!.slice(0, 8)], t.io),
    ).toBe(0);
    expect(t.stdout()).toContain(`commit: ${oid}`);
    expect(t.stdout()).toMatch(/test command: mocha --reporter spec --exit \{tests:test\/\}/);
    expect(t.stdout()).toMatch(/why: test command from the repo's scripts: mocha --bail test\//);
    const bad = bufferedIO();
    expect(await runCli(['env', 'plan', '--repo', join(dir.path, 'r'), '--commit', 'nope'], bad.io)).toBe(2);
  });
});
