/**
 * The Docker engine restarted while `rollout run` samples (the second dockerd): samples whose sandbox went
 * away are run again once the engine answers, or (engine away too long) their groups are not written; a rerun on the same --out finishes every
 * instance with exactly one group, all resolved, and no sandbox of the first process is left on the engine.
 */
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { CHAOS_DOCKER_HOST, copyImages, restartChaosEngine, startChaosEngine } from './engine.ts';
import { rerunRollout, rolloutSetup } from './rollout-kill9.ts';
import { countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, dockerBackend, envImageTag, sleep, type World } from './world.ts';

export async function rolloutEngineRestartRow(world: World): Promise<Row> {
  await startChaosEngine();
  await copyImages([DEFAULT_IMAGE, await envImageTag(world)]);
  const backend = dockerBackend(CHAOS_DOCKER_HOST);
  await using setup = await rolloutSetup(world, backend);
  const row = emptyRow();
  // Down 3 s: the samples it cut are run again in the same process. Down 25 s, past the retries (~14 s):
  // their instances are left unwritten, the run exits 1 saying so, and the rerun does them.
  const faults = [
    { frac: 0.3, downMs: 3000 },
    { frac: 0.6, downMs: 3000 },
    { frac: 0.4, downMs: 25_000 },
  ];
  for (const [i, { frac, downMs }] of faults.entries()) {
    const out = `roll-engine-${i}.jsonl`;
    const child = cli(world.root, setup.args(out), backend.env);
    await sleep(frac * setup.refSeconds * 1000);
    countMissed(row, child);
    const down = await restartChaosEngine(downMs);
    const first = await child.done;
    const what = `engine down ${down.toFixed(1)} s at ${Math.round(frac * 100)}%; the rollout exited ${first.code}: ${lastLine(first.stderr)}`;
    await rerunRollout(world, row, setup, { out, pid: child.pid, what });
  }
  return row;
}
