import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
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
  });

  it('takes over the lock of a process that died (kill -9), and a damaged lock file', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'run.lock');
    await writeFile(path, JSON.stringify({ pid: await deadPid(), host: hostname(), since: 'then' }));
    const lock = await acquireRunLock(path, 'out.jsonl');
    await lock.release();
    await writeFile(path, '{"pid": ');
    await (await acquireRunLock(path, 'out.jsonl')).release();
  });
});
