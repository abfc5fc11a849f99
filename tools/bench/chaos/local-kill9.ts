/**
 * kill -9 of `eval run --backend local` (bubblewrap) at spread points, then a rerun of the run id: the
 * verdicts equal the uninterrupted run's, and nothing of the killed process is left — no sandbox directory
 * it owned (the rerun reaps dead owners' dirs) and no bubblewrap process.
 */
import { join } from 'node:path';
import { localBackend, localDirsOf } from './local.ts';
import { countMissed, emptyRow, judge, lastLine, type Reference, type Row } from './rows.ts';
import { cli, evalArgs, runState, sleep, type World } from './world.ts';

const POINTS = [0.1, 0.4, 0.7];

export async function localKill9Row(world: World, ref: Reference): Promise<Row> {
  const local = await localBackend(world);
  const t = Date.now();
  const warm = await cli(world.root, evalArgs('local-ref', 'out', 'local'), local.env).done;
  const seconds = (Date.now() - t) / 1000;
  if (warm.code !== 0) throw new Error(`the local reference run failed: ${lastLine(warm.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const runId = `local-kill9-${i}`;
    const child = cli(world.root, evalArgs(runId, 'out', 'local'), local.env);
    await sleep(frac * seconds * 1000);
    countMissed(row, child);
    child.kill9();
    const { code } = await child.done;
    const leftDirs = await localDirsOf(local.tmp, child.pid);
    const t0 = Date.now();
    const rerun = await cli(world.root, evalArgs(runId, 'out', 'local'), local.env).done;
    const recover = (Date.now() - t0) / 1000;
    const leaked = await local.leftBy(child.pid);
    const state = await runState(join(world.root, 'out'), runId);
    const what = `killed at ${Math.round(frac * 100)}% (exit ${code}), ${leftDirs} sandbox dir(s) left by the dead process; rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`;
    judge(row, ref, state, leaked, recover, what);
  }
  return row;
}
