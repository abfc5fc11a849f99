import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvBuilder } from '@repoforge/deps';
import {
  baseImage,
  HOSTILE,
  makeGitRepo,
  PY_ATTACK,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { mineRepository } from './index.js';

const exec = promisify(execFile);

/** Host processes named like the hostile daemon, and containers this process still owns. */
async function leftovers(): Promise<{ containers: number; daemons: number }> {
  const ps = await exec('docker', ['ps', '-aq', '--filter', `label=repoforge.owner-pid=${process.pid}`]);
  const daemons = await exec('pgrep', ['-f', HOSTILE.daemon]).then(
    (r) => r.stdout.split('\n').filter(Boolean).length,
    () => 0,
  );
  return { containers: ps.stdout.split('\n').filter(Boolean).length, daemons };
}

const TESTS = `${PY_ATTACK}
from calc import add, sub


def test_sub():
    _attack()
    assert _contained() and sub(5, 3) == 2
`;

/**
 * Hostile repository content met by the miner (#17): the repo's own tests read the host's environment and
 * files, write outside /testbed and leave a daemon, in every validation run. They run only in the sandbox:
 * `test_sub` passes there only while it finds nothing of the host, so it is a PASS_TO_PASS of the mined
 * instance exactly when containment held; on the host, nothing is written and no daemon or container is left.
 */
describe.skipIf(await skipWithoutDocker())('mining a repo whose tests attack the host', () => {
  it('validates in the sandbox only: the instance is mined, the attack finds nothing, nothing is left', async () => {
    await using root = await tempDir();
    const repo = join(root.path, 'calc');
    await makeGitRepo(repo, [
      {
        message: 'calc',
        files: {
          'calc.py': 'def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n',
          'tests/test_calc.py': TESTS,
          'conftest.py': '',
        },
      },
      {
        message: 'Fix add() subtracting\n\nadd(2, 3) returned -1 instead of 5.',
        files: {
          'calc.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n',
          'tests/test_calc.py': `${TESTS}\n\ndef test_add():\n    assert add(2, 3) == 5\n`,
        },
      },
    ]);
    await writeFile(HOSTILE.hostFile, 'the host secret');
    await rm(HOSTILE.hostWrite, { force: true });
    process.env.REPOFORGE_HOSTILE_SECRET = 'the env secret';
    const out = join(root.path, 'out.jsonl');
    try {
      const r = await mineRepository({
        repo,
        repoName: 'acme/calc',
        out,
        runs: 2,
        envBuilder: new EnvBuilder({ baseImage }),
      });
      expect(r.funnel).toMatchObject({ candidates: 1, validated: 1 });
      expect(r.instances[0]).toMatchObject({
        FAIL_TO_PASS: ['tests/test_calc.py::test_add'],
        PASS_TO_PASS: ['tests/test_calc.py::test_sub'],
      });
      expect(await readFile(out, 'utf8')).not.toMatch(/the (env|host) secret/);
      expect(existsSync(HOSTILE.hostWrite)).toBe(false);
      expect(existsSync('/outside-testbed.txt')).toBe(false);
      expect(await leftovers()).toEqual({ containers: 0, daemons: 0 });
    } finally {
      delete process.env.REPOFORGE_HOSTILE_SECRET;
      await rm(HOSTILE.hostFile, { force: true });
    }
  });
});
