/**
 * The Docker engine stopped and started while `eval run` is in flight (a second dockerd, so no other job
 * loses its engine): the run reports the instances it could not finish as errors, a rerun of the run id
 * finishes them, and no sandbox of the run is left on the engine.
 */
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { CHAOS_DOCKER_HOST, copyImages, restartChaosEngine, startChaosEngine } from './engine.ts';
import { countMissed, emptyRow, lastLine, type Reference, type Row, rerunAndJudge } from './rows.ts';
import { cli, containersOf, envImageTag, evalArgs, sleep, type World } from './world.ts';

export async function engineRestartRow(world: World, ref: Reference): Promise<Row> {
  await startChaosEngine();
  await copyImages([DEFAULT_IMAGE, await envImageTag(world)]);
  const row = emptyRow();
  for (const [i, frac] of [0.3, 0.6].entries()) {
    const runId = `engine-${i}`;
    const child = cli(world.root, evalArgs(runId), { DOCKER_HOST: CHAOS_DOCKER_HOST });
    await sleep(frac * ref.seconds * 1000);
    countMissed(row, child);
    const down = await restartChaosEngine(3000);
    const { code, stderr } = await child.done;
    const left = await containersOf(runId, CHAOS_DOCKER_HOST);
    const what = `engine down ${down.toFixed(1)} s at ${Math.round(frac * 100)}%; the run exited ${code}: ${lastLine(stderr)}; ${left} stopped sandbox(es) left`;
    await rerunAndJudge(world, row, ref, runId, what, { dockerHost: CHAOS_DOCKER_HOST });
  }
  return row;
}
