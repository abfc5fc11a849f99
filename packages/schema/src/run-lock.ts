import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { RepoForgeError } from './errors.js';

/** Who holds a run lock. */
const LockOwner = z.object({ pid: z.number().int(), host: z.string(), since: z.string() });
type LockOwner = z.infer<typeof LockOwner>;

/** A held lock: `release()` when the run ends (also after a failure). */
export interface RunLock {
  path: string;
  release(): Promise<void>;
}

function ownerGone(owner: LockOwner | undefined): boolean {
  if (!owner) return true; // damaged: its writer died mid-write
  if (owner.host !== hostname()) return false; // another machine's process: cannot tell, so it holds
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return LockOwner.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock at `path` (created exclusively) for one run: a second process with the same run id or
 * output file refuses with `RUN_LOCKED` (bad input: another run is using it) instead of interleaving its
 * writes. A lock whose owner died (kill -9) is taken over, so a rerun resumes.
 */
export async function acquireRunLock(path: string, what: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      return { path, release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    if (!ownerGone(owner))
      throw new RepoForgeError(
        'RUN_LOCKED',
        `${what} is in use by process ${owner!.pid} on ${owner!.host} since ${owner!.since} (lock ${path}); wait for it, or remove the lock if that process is gone`,
        { kind: 'input' },
      );
    await rm(path, { force: true });
  }
  throw new RepoForgeError('RUN_LOCKED', `${what}: could not take the lock ${path}`, { kind: 'input' });
}
