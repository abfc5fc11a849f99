import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import { RepoForgeError } from './errors.js';
import { readJsonFile } from './node.js';
import { retry } from './retry.js';

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
    return await readJsonFile(path, LockOwner);
  } catch {
    return undefined;
  }
}

const sameOwner = (a: LockOwner | undefined, b: LockOwner | undefined) =>
  a === b ||
  (a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.since === b.since);

const unique = (path: string, what: string) =>
  `${path}.${process.pid}.${randomBytes(6).toString('hex')}.${what}`;

/**
 * Creates the lock with its owner already in it, or returns undefined when it exists. The owner is written to
 * a temp file first and hard-linked into place (exclusive and atomic): a lock is never seen empty, so no
 * taker mistakes a lock being written for a damaged one. Without hard links, exclusive create, then write.
 */
async function createLock(path: string): Promise<LockOwner | undefined> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const tmp = unique(path, 'tmp');
  await writeFile(tmp, JSON.stringify(owner));
  try {
    await link(tmp, path);
    return owner;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    return createExclusive(path, owner);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function createExclusive(path: string, owner: LockOwner): Promise<LockOwner | undefined> {
  try {
    const handle = await open(path, 'wx');
    await handle.writeFile(JSON.stringify(owner));
    await handle.close();
    return owner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
}

/**
 * Removes a dead owner's lock — only the one judged dead: it is moved aside (one mover wins), and when what
 * was moved is a lock another taker has just made, it is put back.
 */
async function removeStale(path: string, judged: LockOwner | undefined): Promise<void> {
  const moved = unique(path, 'stale');
  try {
    await rename(path, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another taker moved it first
    throw error;
  }
  if (!sameOwner(await readOwner(moved), judged)) await link(moved, path).catch(() => undefined);
  await rm(moved, { force: true });
}

/**
 * Takes the lock at `path` for one run: a second process with the same run id or output file refuses with
 * `RUN_LOCKED` (bad input: another run is using it) instead of interleaving its writes. A lock whose owner
 * died (kill -9) is taken over, so a rerun resumes; of several takers at once, one wins.
 */
export async function acquireRunLock(path: string, what: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  // Of several takers of a stale lock, one wins; the others see its new owner alive on their next try.
  const lock = await retry<RunLock>(
    async () => {
      const mine = await createLock(path);
      if (mine) {
        const release = async () => {
          // Only our own lock: one taken over meanwhile (we looked dead) is its new holder's.
          if (sameOwner(await readOwner(path), mine)) await rm(path, { force: true });
        };
        return { done: true, value: { path, release } };
      }
      const owner = await readOwner(path);
      if (!ownerGone(owner))
        throw new RepoForgeError(
          'RUN_LOCKED',
          `${what} is in use by process ${owner!.pid} on ${owner!.host} since ${owner!.since} (lock ${path}); wait for it, or remove the lock if that process is gone`,
        );
      await removeStale(path, owner);
      return { done: false };
    },
    { tries: 5 },
  );
  if (lock) return lock;
  throw new RepoForgeError('RUN_LOCKED', `${what}: could not take the lock ${path}`);
}
