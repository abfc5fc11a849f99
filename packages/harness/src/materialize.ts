import type { Sandbox } from '@repoforge/sandbox';
import { HarnessError } from './errors.js';
import { materializeScript, packCommitTree, type RepoLocation } from './repo-source.js';

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
  const { packfile } = await packCommitTree(location, oid, { signal });
  const packPath = `/tmp/repoforge-${oid.slice(0, 12)}.pack`;
  await sandbox.writeFiles([{ path: packPath, content: packfile }], { signal });
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
