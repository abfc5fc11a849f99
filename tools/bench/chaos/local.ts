/**
 * The local backend (bubblewrap) in the chaos bench: the runs get their own TMPDIR, so their sandboxes are
 * told apart from any other job's by where they are, and what a dead process left is counted there.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Backend, World } from './world.ts';

const exec = promisify(execFile);

/** Local sandbox dirs under `tmp` owned by `pid`. */
export async function localDirsOf(tmp: string, pid: number): Promise<number> {
  let n = 0;
  for (const name of await readdir(tmp)) {
    if (!name.startsWith('repoforge-local-')) continue;
    const owner = await readFile(join(tmp, name, 'owner.json'), 'utf8').catch(() => '{}');
    if (JSON.parse(owner).pid === pid) n++;
  }
  return n;
}

/** Bubblewrap processes alive whose command line names `tmp` (the bench's sandboxes, nobody else's). */
async function bwrapsUnder(tmp: string): Promise<number> {
  const { stdout } = await exec('pgrep', ['-f', `bwrap.*${tmp}`]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).length;
}

export async function localBackend(world: World): Promise<Backend & { tmp: string }> {
  const tmp = join(world.root, 'local-tmp');
  await mkdir(tmp, { recursive: true });
  return {
    name: 'local',
    tmp,
    env: { TMPDIR: tmp },
    leftBy: async (pid) => (await localDirsOf(tmp, pid)) + (await bwrapsUnder(tmp)),
  };
}
