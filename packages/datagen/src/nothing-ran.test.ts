import { join } from 'node:path';
import type { ExecOptions, FileInput, Sandbox } from '@repoforge/sandbox';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

/**
 * A sandbox whose test run prints `log`: the miner's decisions on what a run showed are under test, not Docker.
 * Checkout and patch steps succeed; writes are accepted.
 */
function scriptedSandbox(log: string): Sandbox {
  const sb = {
    id: 'scripted',
    backend: 'fake',
    image: 'img',
    workdir: '/testbed',
    dirty: false,
    closed: false,
    async writeFiles(_files: readonly FileInput[]) {
      sb.dirty = true;
    },
    async exec(cmd: readonly string[], options: ExecOptions = {}) {
      sb.dirty = true;
      const out = cmd.join(' ').includes('/eval.sh') ? log : '';
      options.onStdout?.(Buffer.from(out));
      return {
        exitCode: out ? 4 : 0,
        stdout: '',
        stderr: '',
        truncated: false,
        timedOut: false,
        oomKilled: false,
        durationMs: 1,
      };
    },
    async close() {
      sb.closed = true;
    },
  };
  return sb as unknown as Sandbox;
}

describe('a candidate whose test command runs no test', () => {
  it('is env_broken, saying why, never no_f2p', async () => {
    await using dir = await tempDir();
    const repo = join(dir.path, 'lib');
    await makeGitRepo(repo, [
      {
        message: 'init',
        files: {
          'setup.py': 'from setuptools import setup\nsetup(name="lib")\n',
          'lib.py': 'def f():\n    return 1\n',
          'tests/test_lib.py': 'from lib import f\n\ndef test_f():\n    assert f() == 1\n',
        },
      },
      {
        message: 'fix f',
        files: {
          'lib.py': 'def f():\n    return 2\n',
          'tests/test_lib.py': 'from lib import f\n\ndef test_f():\n    assert f() == 2\n',
        },
      },
    ]);
    const log =
      ">>>>> Start Test Output\nE   ModuleNotFoundError: No module named 'lib'\n1 error in 0.1s\n>>>>> End Test Output\n";
    const r = await mineRepository({
      repo,
      repoName: 'acme/lib',
      out: join(dir.path, 'out.jsonl'),
      runs: 1,
      envBuilder: {
        ensure: async () => ({
          image: 'img',
          hash: 'h',
          runtimeImage: 'rt',
          cached: true,
          missingPackages: [],
          durationMs: 1,
        }),
      },
      createSandbox: async () => scriptedSandbox(log),
      reapLeftovers: async () => {},
    });
    expect(r.instances).toEqual([]);
    expect(r.funnel.rejected).toMatchObject({ env_broken: 1 });
    expect(r.funnel.rejected.no_f2p).toBeUndefined();
    const [rejection] = r.rejections;
    expect(rejection?.verdict).toBe('env_broken');
    expect(rejection?.evidence?.why).toMatch(/no environment whose tests run.*No module named 'lib'/);
  });
});
