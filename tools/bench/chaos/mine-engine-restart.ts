/**
 * The Docker engine restarted while `datagen mine` validates candidates (the second dockerd): the miner
 * records what it could not validate as failures of the environment/run, a rerun on the same output finishes,
 * and the instances equal an uninterrupted mining's, with no sandbox of the first process left on the engine.
 */
import { join } from 'node:path';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { CHAOS_DOCKER_HOST, copyImages, restartChaosEngine, startChaosEngine } from './engine.ts';
import { mineArgs, mined, mineReference } from './mine-kill9.ts';
import { emptyRow, lastLine, type Row } from './rows.ts';
import { cli, containersOfPid, sleep, type World } from './world.ts';

export async function mineEngineRestartRow(world: World): Promise<Row> {
  const { seconds: refSeconds, byId: expected } = await mineReference(world);
  await startChaosEngine();
  await copyImages([DEFAULT_IMAGE]);
  const env = { DOCKER_HOST: CHAOS_DOCKER_HOST };
  // Environments are built on the second engine once, so the restarts hit validation runs, not apt.
  const warm = await cli(world.root, mineArgs('mine-engine-warm.jsonl'), env).done;
  if (warm.code !== 0)
    throw new Error(`warm-up mining on the second engine failed: ${lastLine(warm.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of [0.3, 0.6].entries()) {
    const out = `mine-engine-${i}.jsonl`;
    const child = cli(world.root, mineArgs(out), env);
    await sleep(frac * refSeconds * 1000);
    const down = await restartChaosEngine(3000);
    const first = await child.done;
    const t0 = Date.now();
    const rerun = await cli(world.root, mineArgs(out), env).done;
    const seconds = (Date.now() - t0) / 1000;
    const got = await mined(join(world.root, out));
    const lost = [...expected.keys()].filter((id) => !got.byId.has(id)).length;
    const wrong = [...got.byId].filter(([id, v]) => expected.get(id) !== v).length;
    const duplicated = got.rows - got.byId.size;
    const leaked = await containersOfPid(child.pid, CHAOS_DOCKER_HOST);
    row.runs_tried++;
    if (lost + wrong + duplicated === 0 && rerun.code === 0) row.runs_recovered++;
    row.instances_lost += lost;
    row.wrong_verdicts += wrong;
    row.instances_duplicated += duplicated;
    row.containers_leaked += leaked;
    row.recover_seconds = Math.max(row.recover_seconds, Math.round(seconds * 10) / 10);
    row.detail.push(
      `engine down ${down.toFixed(1)} s at ${Math.round(frac * 100)}%; the mining exited ${first.code}: ${lastLine(first.stderr)}; rerun exit ${rerun.code}; ${got.byId.size}/${expected.size} instances`,
    );
  }
  return row;
}
