import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { acquireRunLock } from './node.js';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('acquireRunLock', () => {
  it('a second holder of the same run refuses with RUN_LOCKED; after release it can take it', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'run.lock');
    const first = await acquireRunLock(path, 'run id r1');
    await expect(acquireRunLock(path, 'run id r1')).rejects.toMatchObject({
      code: 'RUN_LOCKED',
      kind: 'input',
      message: expect.stringMatching(new RegExp(`run id r1 is in use by process ${process.pid}`)),
    });
    await first.release();
    const again = await acquireRunLock(path, 'run id r1');
    await again.release();
    // Released means gone: a third holder takes it at once.
    await (await acquireRunLock(path, 'run id r1')).release();
  });

  it('takes over the lock of a process that died (kill -9), and a damaged lock file', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'run.lock');
    await writeFile(path, JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'then' }));
    const owner = async () => JSON.parse(await readFile(path, 'utf8')).pid;
    const lock = await acquireRunLock(path, 'out.jsonl');
    expect(await owner()).toBe(process.pid);
    await lock.release();
    await writeFile(path, '{"pid": ');
    const again = await acquireRunLock(path, 'out.jsonl');
    expect(await owner()).toBe(process.pid);
    await again.release();
  });

  // Many takers at once, interleaved at every await: of a fresh lock and of a dead owner's, one wins.
  const race = async (path: string) => {
    const tries = await Promise.allSettled(Array.from({ length: 12 }, () => acquireRunLock(path, 'r')));
    const won = tries.filter((t) => t.status === 'fulfilled');
    const refused = tries.filter((t) => t.status === 'rejected' && t.reason.code === 'RUN_LOCKED');
    return { won: won.length, refused: refused.length };
  };

  it('of many takers at once, exactly one holds a fresh lock', async () => {
    await using dir = await tempDir();
    expect(await race(join(dir.path, 'run.lock'))).toEqual({ won: 1, refused: 11 });
  });

  it("of many takers of a dead owner's lock at once, exactly one holds it", async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'run.lock');
    for (let round = 0; round < 5; round++) {
      await writeFile(path, JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'then' }));
      expect(await race(path)).toEqual({ won: 1, refused: 11 });
    }
  });

  it('releasing a lock someone else holds now leaves theirs alone', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'run.lock');
    const mine = await acquireRunLock(path, 'r');
    const theirs = JSON.stringify({ pid: 1, host: hostname(), since: 'later' });
    await writeFile(path, theirs); // taken over while this holder looked dead
    await mine.release();
    expect(await readFile(path, 'utf8')).toBe(theirs);
  });
});
