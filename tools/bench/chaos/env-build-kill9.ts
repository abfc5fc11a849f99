/**
 * kill -9 of `env build` while it builds a cold environment (the image removed first), then a rerun: the
 * rerun must finish with the same instance -> image map as an uninterrupted build, the image must exist, and
 * no container of the killed process may be left (the builder's sandboxes carry its pid).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { addRun, countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, containersOfPid, sleep, type World } from './world.ts';

const exec = promisify(execFile);
const POINTS = [0.15, 0.5, 0.85];

export const buildArgs = (out: string) => [
  'env',
  'build',
  '--dataset',
  'd.jsonl',
  '--repo-cache',
  'repos',
  '--backend',
  'docker',
  '--out',
  out,
];

export async function imageMap(world: World, out: string): Promise<string> {
  return JSON.stringify(JSON.parse(await readFile(join(world.root, out), 'utf8')));
}

async function removeImages(map: string): Promise<void> {
  const tags = [
    ...new Set(
      Object.values(JSON.parse(map) as Record<string, unknown>).map((v) =>
        typeof v === 'string' ? v : (v as { image: string }).image,
      ),
    ),
  ];
  for (const tag of tags) await exec('docker', ['rmi', '-f', tag]).catch(() => undefined);
}

export async function envBuildKill9Row(world: World): Promise<Row> {
  const warm = await cli(world.root, buildArgs('envs-ref.json')).done;
  if (warm.code !== 0) throw new Error(`reference env build failed: ${lastLine(warm.stderr)}`);
  const expected = await imageMap(world, 'envs-ref.json');
  await removeImages(expected);
  const t = Date.now();
  const cold = await cli(world.root, buildArgs('envs-ref.json')).done;
  const coldSeconds = (Date.now() - t) / 1000;
  if (cold.code !== 0) throw new Error(`cold env build failed: ${lastLine(cold.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    await removeImages(expected);
    const out = `envs-${i}.json`;
    const child = cli(world.root, buildArgs(out));
    await sleep(frac * coldSeconds * 1000);
    countMissed(row, child);
    child.kill9();
    await child.done;
    const t0 = Date.now();
    const rerun = await cli(world.root, buildArgs(out)).done;
    const seconds = (Date.now() - t0) / 1000;
    const same = rerun.code === 0 && (await imageMap(world, out).catch(() => '')) === expected;
    addRun(row, {
      finished: same,
      wrong: same ? 0 : 1,
      leaked: await containersOfPid(child.pid),
      seconds,
      detail: `killed at ${Math.round(frac * 100)}% of a ${coldSeconds.toFixed(0)} s cold build; rerun exit ${rerun.code}; same image map: ${same}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`,
    });
  }
  return row;
}
