/**
 * The engine's disk fills up under a cold `env build` (the second dockerd with its data root on a tmpfs just
 * larger than the base image): the build fails with BUILD_FAILED saying the engine's disk is full (from the
 * step's output, or from the builder's watch of the data root when the step could not write any), no image
 * is tagged for the half-built environment,
 * no container of the build is left, and after space is freed the rerun ends with the uninterrupted build's
 * instance -> image map.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { saysDiskFull } from './disk-full.ts';
import {
  CHAOS_DOCKER_HOST,
  copyImages,
  removeChaosEngine,
  startChaosEngine,
  stopChaosEngine,
} from './engine.ts';
import { buildArgs, imageMap } from './env-build-kill9.ts';
import { addRun, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, containersOfPid, type World } from './world.ts';

const exec = promisify(execFile);
const ROOT = '/var/lib/repoforge-chaos-small';

/** Tags of the map's images present on the second engine. */
async function tagsPresent(map: string): Promise<number> {
  let n = 0;
  for (const v of Object.values(JSON.parse(map) as Record<string, unknown>)) {
    const tag = typeof v === 'string' ? v : (v as { image: string }).image;
    const { stdout } = await exec('docker', ['-H', CHAOS_DOCKER_HOST, 'images', '-q', tag]);
    if (stdout.trim()) n++;
  }
  return n;
}

export async function envBuildDiskFullRow(world: World): Promise<Row> {
  const ref = await cli(world.root, buildArgs('envs-ref.json')).done;
  if (ref.code !== 0) throw new Error(`reference env build failed: ${lastLine(ref.stderr)}`);
  const expected = await imageMap(world, 'envs-ref.json');
  const row = emptyRow();
  const env = { DOCKER_HOST: CHAOS_DOCKER_HOST };
  await stopChaosEngine(); // the second engine, on its usual data root, goes; this one has its own
  await mkdir(ROOT, { recursive: true });
  await exec('mount', ['-t', 'tmpfs', '-o', 'size=300m', 'tmpfs', ROOT]);
  try {
    await startChaosEngine(ROOT);
    await copyImages([DEFAULT_IMAGE]);
    const first = cli(world.root, buildArgs('envs-full.json'), env);
    const { code, stderr } = await first.done;
    const half = await tagsPresent(expected);
    const says = saysDiskFull(stderr) && /BUILD_FAILED/.test(stderr);
    const what = `data root on a 300 MiB tmpfs: exit ${code}, BUILD_FAILED saying the disk is full: ${says} (${(stderr.match(/.*(disk is full|no space|ENOSPC|error|failed).*/i)?.[0] ?? lastLine(stderr)).slice(0, 400)}), ${half} environment image(s) tagged`;
    await exec('mount', ['-o', 'remount,size=3g', ROOT]);
    const t0 = Date.now();
    const rerun = await cli(world.root, buildArgs('envs-full.json'), env).done;
    const seconds = (Date.now() - t0) / 1000;
    const same = rerun.code === 0 && (await imageMap(world, 'envs-full.json').catch(() => '')) === expected;
    addRun(row, {
      // Recovered only when the first build said why it failed, too.
      finished: same && says && code !== 0,
      wrong: same ? 0 : 1,
      damaged: half,
      leaked: await containersOfPid(first.pid, CHAOS_DOCKER_HOST),
      seconds,
      detail: `${what}; rerun exit ${rerun.code}; same image map: ${same}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`,
    });
  } finally {
    await removeChaosEngine(); // the next row starts it again on its usual data root
    await exec('umount', ['-l', ROOT]).catch(() => undefined);
  }
  return row;
}
