import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { reapStaging, stagingDir } from './local-runtime.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync('true');
  return pid!;
}

describe('reapStaging', () => {
  it('removes the staging dirs of builders that are gone, and only theirs', async () => {
    await using tmp = await tempDir('repoforge-staging-');
    const env = join(tmp.path, 'env-0123456789abcdef0123');
    const mine = stagingDir(env);
    const dead = `${env}.tmp-${deadPid()}@${hostname()}-0badc0de`;
    const otherHost = `${env}.tmp-${deadPid()}@some-other-host.example-0badc0de`;
    const unnamed = `${env}.tmp-0badc0de`; // an older builder's: cannot tell who, so kept
    for (const d of [env, mine, dead, otherHost, unnamed]) await mkdir(join(d, 'deps'), { recursive: true });

    expect(basename(mine)).toMatch(new RegExp(`\\.tmp-${process.pid}@`));
    expect(await reapStaging(tmp.path)).toEqual([basename(dead)]);
    expect(existsSync(dead)).toBe(false);
    expect((await readdir(tmp.path)).sort()).toEqual(
      [env, mine, otherHost, unnamed].map((d) => basename(d)).sort(),
    );
    expect(await reapStaging(join(tmp.path, 'absent'))).toEqual([]);
  });
});
