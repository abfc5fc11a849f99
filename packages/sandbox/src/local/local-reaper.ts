import { readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonFile } from '@repoforge/schema/node';
import { z } from 'zod';

/** Prefix of every local sandbox's directory. */
export const LOCAL_DIR_PREFIX = 'repoforge-local-';
const OWNER_FILE = 'owner.json';

const Owner = z.object({ pid: z.number().int(), host: z.string(), runId: z.string().optional() });
type Owner = z.infer<typeof Owner>;

/** Records who made a local sandbox, so a reaper can tell a crashed run's leftovers from live ones. */
export function writeOwner(root: string, runId?: string): Promise<void> {
  const owner: Owner = { pid: process.pid, host: hostname(), ...(runId ? { runId } : {}) };
  return writeFile(join(root, OWNER_FILE), JSON.stringify(owner), { mode: 0o644 });
}

/** Whether a sandbox's owner process lives; another host's owners always count as alive (not ours to judge). */
export function ownerAlive(host: string | undefined, pid: number): boolean {
  if (host !== hostname()) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Which local leftovers to remove. */
export interface LocalReapOptions {
  /** Where the sandboxes' dirs are (the local backend's `tmpRoot`; default the OS temp dir). */
  tmpRoot?: string;
  /** Only this run's sandboxes (any owner state). */
  runId?: string;
  /** Also remove sandboxes whose owner process is still alive. */
  includeLive?: boolean;
  signal?: AbortSignal;
}

/**
 * Removes the directories of local sandboxes whose owner process is gone (a SIGKILLed run: its bubblewrap
 * children died with it, the files stayed). Only dirs with RepoForge's prefix and owner record are touched.
 * Returns the paths removed.
 */
export async function reapLocalSandboxes(options: LocalReapOptions = {}): Promise<string[]> {
  const dir = options.tmpRoot ?? tmpdir();
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    options.signal?.throwIfAborted();
    if (!name.startsWith(LOCAL_DIR_PREFIX)) continue;
    const root = join(dir, name);
    let owner: Owner;
    try {
      owner = await readJsonFile(join(root, OWNER_FILE), Owner);
    } catch {
      continue; // no record, or not one of ours: not ours to judge
    }
    if (
      options.runId
        ? owner.runId !== options.runId
        : !options.includeLive && ownerAlive(owner.host, owner.pid)
    )
      continue;
    await rm(root, { recursive: true, force: true });
    removed.push(root);
  }
  return removed;
}
