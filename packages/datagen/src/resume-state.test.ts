import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireRunLock } from '@repoforge/schema/node';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

describe('a damaged resume state', () => {
  it('is a one-line error naming the file and the field, before anything runs', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    await makeGitRepo(join(dir.path, 'repo'), [{ message: 'init', files: { 'a.txt': 'a\n' } }]);
    const run = () =>
      mineRepository({
        repo: join(dir.path, 'repo'),
        repoName: 'a/b',
        out,
        envBuilder: undefined as never,
        reapLeftovers: async () => {},
      });
    await writeFile(`${out}.state.json`, '{"done": {"abc": {"verdict": 7}}}');
    await expect(run()).rejects.toMatchObject({
      code: 'RECORD_INVALID',
      kind: 'input',
      message: expect.stringMatching(/out\.jsonl\.state\.json:1: done\.abc\.verdict: /),
    });
    await writeFile(`${out}.state.json`, '{"done": {"abc"');
    await expect(run()).rejects.toMatchObject({
      message: expect.stringMatching(/state\.json:1: invalid JSON/),
    });
  });
});

describe('two miners on one output', () => {
  it('the second refuses with RUN_LOCKED and leaves the lock of the first alone', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    const held = await acquireRunLock(`${out}.lock`, out);
    await expect(
      mineRepository({ repo: dir.path, repoName: 'a/b', out, envBuilder: undefined as never }),
    ).rejects.toMatchObject({ code: 'RUN_LOCKED', kind: 'input', message: expect.stringContaining(out) });
    await expect(acquireRunLock(`${out}.lock`, out)).rejects.toMatchObject({ code: 'RUN_LOCKED' });
    await held.release();
  });
});

describe('a --repo that is not a git repository', () => {
  it('is bad input naming the path', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'out.jsonl');
    const run = mineRepository({
      repo: join(dir.path, 'nope'),
      repoName: 'a/b',
      out,
      reapLeftovers: async () => {},
    });
    await expect(run).rejects.toMatchObject({
      code: 'REPO_NOT_FOUND',
      kind: 'input',
      message: expect.stringContaining('nope: not a git repository'),
    });
  });
});

describe('an engine that goes away mid-mining', () => {
  it('stops the mining with the fault and records no verdict for the commit (a rerun validates it)', async () => {
    const { SandboxError } = await import('@repoforge/sandbox');
    const { createDemoRepos } = await import('./demo/index.js');
    await using dir = await tempDir();
    const { python } = await createDemoRepos(dir.path, { fixes: 1 });
    const out = join(dir.path, 'out.jsonl');
    const fault = new SandboxError('ENGINE_UNREACHABLE', 'no Docker engine answers at /run/docker.sock');
    let builds = 0;
    const run = mineRepository({
      repo: python,
      repoName: 'demo/mathlib',
      out,
      envBuilder: {
        ensure: async () => {
          builds++;
          throw fault;
        },
      },
      createSandbox: async () => {
        throw fault;
      },
      reapLeftovers: async () => {},
    });
    // Not `env_failed`: that verdict would be kept by every rerun, and the commit lost for good.
    await expect(run).rejects.toBe(fault);
    expect(builds).toBe(1);
    const state = JSON.parse(await readFile(`${out}.state.json`, 'utf8').catch(() => '{"done":{}}'));
    expect(Object.values(state.done)).toEqual([]);
  });
});

describe('a --repo that borrows objects through git alternates', () => {
  it('is refused up front as bad input that says how to fix it', async () => {
    await using dir = await tempDir();
    await makeGitRepo(join(dir.path, 'origin'), [{ message: 'init', files: { 'a.txt': 'a\n' } }]);
    execFileSync('git', ['clone', '-q', '--shared', join(dir.path, 'origin'), join(dir.path, 'clone')]);
    const run = mineRepository({
      repo: join(dir.path, 'clone'),
      repoName: 'a/b',
      out: join(dir.path, 'out.jsonl'),
      reapLeftovers: async () => {},
    });
    await expect(run).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      kind: 'input',
      message: expect.stringMatching(/clone: borrows objects from .*origin.*git alternates.*repack -a -d/),
    });
  });
});
