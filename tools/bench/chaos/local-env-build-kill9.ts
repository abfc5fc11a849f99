/**
 * kill -9 of `env build --backend local` while it installs a Node environment (`npm ci` in a bubblewrap
 * sandbox, the sample's mocha), then a rerun: the rerun ends with the uninterrupted build's instance ->
 * environment map, and nothing of the killed build is left — no half-built environment dir (staging dirs
 * of dead builders are reaped), no sandbox dir or bubblewrap process of the dead process.
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Instance } from '@repoforge/schema';
import { makeNodeSample } from '@repoforge/test-utils';
import { imageMap } from './env-build-kill9.ts';
import { localBackend } from './local.ts';
import { addRun, countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, sleep, type World } from './world.ts';

const POINTS = [0.2, 0.5, 0.8];

const buildArgs = (out: string) => [
  ...['env', 'build', '--dataset', 'dn.jsonl', '--repo-cache', 'repos-node', '--backend', 'local'],
  ...['--out', out],
];

/** Staging dirs (`<env>.tmp-…`) under the local environment cache. */
async function stagingLeft(envCache: string): Promise<number> {
  const names = await readdir(envCache).catch(() => [] as string[]);
  return names.filter((n) => n.includes('.tmp-')).length;
}

/** The environment dirs of a map (not the runtime they share, which a cold build keeps). */
async function removeEnvs(map: string): Promise<void> {
  for (const dir of new Set(Object.values(JSON.parse(map) as Record<string, string>)))
    await rm(dir, { recursive: true, force: true });
}

export async function localEnvBuildKill9Row(world: World): Promise<Row> {
  const { instance } = await makeNodeSample(join(world.root, 'repos-node'));
  await writeFile(join(world.root, 'dn.jsonl'), `${JSON.stringify(Instance.parse(instance))}\n`);
  const local = await localBackend(world);
  // Its own HOME: the environment cache (~/.cache/repoforge/local-envs) is the bench's, not the user's.
  const env = { ...local.env, HOME: join(world.root, 'home') };
  const envCache = join(env.HOME, '.cache', 'repoforge', 'local-envs');
  const warm = await cli(world.root, buildArgs('envs-local-ref.json'), env).done; // fetches the runtime
  if (warm.code !== 0) throw new Error(`reference local env build failed: ${lastLine(warm.stderr)}`);
  const expected = await imageMap(world, 'envs-local-ref.json');
  await removeEnvs(expected);
  const t = Date.now();
  const cold = await cli(world.root, buildArgs('envs-local-ref.json'), env).done;
  const coldSeconds = (Date.now() - t) / 1000;
  if (cold.code !== 0) throw new Error(`cold local env build failed: ${lastLine(cold.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    await removeEnvs(expected);
    const out = `envs-local-${i}.json`;
    const child = cli(world.root, buildArgs(out), env);
    await sleep(frac * coldSeconds * 1000);
    countMissed(row, child);
    child.kill9();
    const killed = await child.done;
    const staged = await stagingLeft(envCache);
    const t0 = Date.now();
    const rerun = await cli(world.root, buildArgs(out), env).done;
    const seconds = (Date.now() - t0) / 1000;
    const same = rerun.code === 0 && (await imageMap(world, out).catch(() => '')) === expected;
    const tempFiles = await stagingLeft(envCache);
    addRun(row, {
      finished: same,
      wrong: same ? 0 : 1,
      tempFiles,
      leaked: (await local.leftBy(child.pid)) + tempFiles,
      seconds,
      detail: `killed at ${Math.round(frac * 100)}% of a ${coldSeconds.toFixed(0)} s cold build (exit ${killed.code}, ${staged} half-built dir(s) left); rerun exit ${rerun.code}; same map: ${same}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`,
    });
  }
  return row;
}
