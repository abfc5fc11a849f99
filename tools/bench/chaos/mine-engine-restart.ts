/**
 * The Docker engine restarted while `datagen mine` validates candidates (the second dockerd): the miner
 * records what it could not validate as failures of the environment/run, a rerun on the same output finishes,
 * and the instances equal an uninterrupted mining's, with no sandbox of the first process left on the engine.
 */
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { CHAOS_DOCKER_HOST, copyImages, restartChaosEngine, startChaosEngine } from './engine.ts';
import { judgeMining, mineArgs, mineReference } from './mine-kill9.ts';
import { countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, dockerBackend, sleep, type World } from './world.ts';

export async function mineEngineRestartRow(world: World): Promise<Row> {
  const { seconds: refSeconds, byId: expected } = await mineReference(world);
  await startChaosEngine();
  await copyImages([DEFAULT_IMAGE]);
  const backend = dockerBackend(CHAOS_DOCKER_HOST);
  const { env } = backend;
  // Environments are built on the second engine once, so the restarts hit validation runs, not apt.
  const warm = await cli(world.root, mineArgs('mine-engine-warm.jsonl'), env).done;
  if (warm.code !== 0)
    throw new Error(`warm-up mining on the second engine failed: ${lastLine(warm.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of [0.3, 0.6].entries()) {
    const out = `mine-engine-${i}.jsonl`;
    const child = cli(world.root, mineArgs(out), env);
    await sleep(frac * refSeconds * 1000);
    countMissed(row, child);
    const down = await restartChaosEngine(3000);
    const first = await child.done;
    const t0 = Date.now();
    const rerun = await cli(world.root, mineArgs(out), env).done;
    const seconds = (Date.now() - t0) / 1000;
    const what = `engine down ${down.toFixed(1)} s at ${Math.round(frac * 100)}%; the mining exited ${first.code}: ${lastLine(first.stderr)}`;
    const run = { out, pid: child.pid, rerunCode: rerun.code, seconds, backend };
    await judgeMining(row, expected, run, world, what);
  }
  return row;
}
