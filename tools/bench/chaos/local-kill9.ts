/**
 * kill -9 of `eval run --backend local` (bubblewrap) at spread points, then a rerun of the run id: the
 * verdicts equal the uninterrupted run's, and nothing of the killed process is left — no sandbox directory
 * it owned (the rerun reaps dead owners' dirs) and no bubblewrap process.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { emptyRow, judge, lastLine, type Reference, type Row } from './rows.ts';
import { cli, evalArgs, runState, sleep, type World } from './world.ts';

const exec = promisify(execFile);
const POINTS = [0.1, 0.4, 0.7];

/** Local sandbox dirs under `tmp` owned by `pid`. */
async function dirsOf(tmp: string, pid: number): Promise<number> {
  let n = 0;
  for (const name of await readdir(tmp)) {
    if (!name.startsWith('repoforge-local-')) continue;
    const owner = await readFile(join(tmp, name, 'owner.json'), 'utf8').catch(() => '{}');
    if (JSON.parse(owner).pid === pid) n++;
  }
  return n;
}

/** Bubblewrap processes alive whose command line names `tmp` (the run's sandboxes, nobody else's). */
async function bwrapsUnder(tmp: string): Promise<number> {
  const { stdout } = await exec('pgrep', ['-f', `bwrap.*${tmp}`]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).length;
}

export async function localKill9Row(world: World, ref: Reference): Promise<Row> {
  // Its own temp dir: the sandboxes of these runs are told apart from any other job's by where they are.
  const tmp = join(world.root, 'local-tmp');
  await mkdir(tmp, { recursive: true });
  const env = { TMPDIR: tmp };
  const t = Date.now();
  const warm = await cli(world.root, evalArgs('local-ref', 'out', 'local'), env).done;
  const seconds = (Date.now() - t) / 1000;
  if (warm.code !== 0) throw new Error(`the local reference run failed: ${lastLine(warm.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const runId = `local-kill9-${i}`;
    const child = cli(world.root, evalArgs(runId, 'out', 'local'), env);
    await sleep(frac * seconds * 1000);
    child.kill9();
    const { code } = await child.done;
    const leftDirs = await dirsOf(tmp, child.pid);
    const t0 = Date.now();
    const rerun = await cli(world.root, evalArgs(runId, 'out', 'local'), env).done;
    const recover = (Date.now() - t0) / 1000;
    const leaked = (await dirsOf(tmp, child.pid)) + (await bwrapsUnder(tmp));
    const state = await runState(join(world.root, 'out'), runId);
    const what = `killed at ${Math.round(frac * 100)}% (exit ${code}), ${leftDirs} sandbox dir(s) left by the dead process; rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`;
    judge(row, ref, state, leaked, recover, what);
  }
  return row;
}
