import { join } from 'node:path';
import type { ExecOptions, FileInput, Sandbox } from '@repoforge/sandbox';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

/**
 * A sandbox whose test run prints `log`: the miner's decisions on what a run showed are under test, not Docker.
 * Checkout and patch steps succeed; writes are accepted.
 */
function scriptedSandbox(log: string, runs = { count: 0 }): Sandbox {
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
      if (out) runs.count++;
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

/** A Python repo whose second commit fixes f() and its test. */
async function fixRepo(dir: string): Promise<string> {
  const repo = join(dir, 'lib');
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
  return repo;
}

const stubEnv = {
  ensure: async () => ({
    image: 'img',
    hash: 'h',
    runtimeImage: 'rt',
    cached: true,
    missingPackages: [],
    durationMs: 1,
  }),
};

/** Mines the fix repo in `dir` with every test run printing `log`; `runs.count` counts those runs. */
const mineScripted = (dir: string, repo: string, log: string, runs: number, count = { count: 0 }) =>
  mineRepository({
    repo,
    repoName: 'acme/lib',
    out: join(dir, `out-${runs}.jsonl`),
    runs,
    envBuilder: stubEnv,
    createSandbox: async () => scriptedSandbox(log, count),
    reapLeftovers: async () => {},
  });

describe('a candidate whose test command runs no test', () => {
  it('is env_broken, saying why, never no_f2p', async () => {
    await using dir = await tempDir();
    const repo = await fixRepo(dir.path);
    const log =
      ">>>>> Start Test Output\nE   ModuleNotFoundError: No module named 'lib'\n1 error in 0.1s\n>>>>> End Test Output\n";
    const r = await mineScripted(dir.path, repo, log, 1);
    expect(r.instances).toEqual([]);
    expect(r.funnel.rejected).toMatchObject({ env_broken: 1 });
    expect(r.funnel.rejected.no_f2p).toBeUndefined();
    const [rejection] = r.rejections;
    expect(rejection?.verdict).toBe('env_broken');
    expect(rejection?.evidence?.why).toMatch(/no environment whose tests run.*No module named 'lib'/);
  });
});

describe('a candidate whose tests pass before and after the fix', () => {
  it('is no_f2p after one before/after pair: the runs left could not make a FAIL_TO_PASS', async () => {
    await using dir = await tempDir();
    const repo = await fixRepo(dir.path);
    const log =
      '>>>>> Start Test Output\nPASSED tests/test_lib.py::test_f\n1 passed in 0.1s\n>>>>> End Test Output\n';
    const mine = async (runs: number) => {
      const count = { count: 0 };
      const r = await mineScripted(dir.path, repo, log, runs, count);
      return { rejected: r.funnel.rejected, testRuns: count.count };
    };
    const three = await mine(3);
    const one = await mine(1);
    expect(three.rejected).toEqual({ root_commit: 1, no_f2p: 1 });
    expect(one.rejected).toEqual(three.rejected);
    expect(three.testRuns).toBe(one.testRuns);
    expect(one.testRuns).toBeGreaterThanOrEqual(2);
  });
});
