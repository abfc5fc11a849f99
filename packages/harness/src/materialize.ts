import type { FileInput, Sandbox } from '@repoforge/sandbox';
import { materializeScript, type PackedCommit, packCommitTree } from './commit-pack.js';
import { HarnessError } from './errors.js';
import type { RepoLocation } from './repo-source.js';

/**
 * Puts the repo at `oid` into `dir` inside the sandbox as a shallow git checkout: objects travel as one pack,
 * the commit keeps its real id, and no later history exists in the sandbox.
 */
export async function materializeRepo(
  sandbox: Sandbox,
  location: RepoLocation,
  oid: string,
  dir: string,
  signal?: AbortSignal,
): Promise<void> {
  const packPath = `/tmp/repoforge-${oid.slice(0, 12)}.pack`;
  await sandbox.writeFiles(packFiles(await packCommitTree(location, oid, { signal }), packPath), { signal });
  const r = await sandbox.exec(['/bin/sh', '-c', materializeScript(dir, packPath, oid)], {
    timeoutMs: 600_000,
    signal,
    user: '0',
  });
  if (r.exitCode !== 0) {
    throw new HarnessError(
      'MATERIALIZE_FAILED',
      `could not check out ${oid} in the sandbox: ${(r.stderr || r.stdout).trim().slice(-500)}`,
    );
  }
}

/** The pack, and its index beside it when the host built one, as files for the sandbox. */
export function packFiles(packed: PackedCommit, packPath: string): FileInput[] {
  const files: FileInput[] = [{ path: packPath, content: packed.packfile }];
  if (packed.index) files.push({ path: `${packPath}.idx`, content: packed.index });
  return files;
}
