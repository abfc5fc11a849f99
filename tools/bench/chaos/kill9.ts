/** kill -9 of `eval run` (and its process group) at spread points of a run, then a rerun of the run id. */
import { countMissed, emptyRow, lastLine, type Reference, type Row, rerunAndJudge } from './rows.ts';
import { cli, containersOf, evalArgs, sleep, type World } from './world.ts';

/** Fractions of the reference run's time at which the run is killed: env check, early, mid, late instances. */
const POINTS = [0.05, 0.25, 0.45, 0.65, 0.85];

export async function kill9Row(world: World, ref: Reference): Promise<Row> {
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const runId = `kill9-${i}`;
    const child = cli(world.root, evalArgs(runId));
    await sleep(frac * ref.seconds * 1000);
    countMissed(row, child);
    child.kill9();
    const { code, stderr } = await child.done;
    const left = await containersOf(runId);
    const what = `killed at ${Math.round(frac * 100)}% (exit ${code}${code === 0 ? ', had finished' : ''}), ${left} sandbox(es) left by the dead process${code === 0 ? `: ${lastLine(stderr)}` : ''}`;
    await rerunAndJudge(world, row, ref, runId, what);
  }
  return row;
}
