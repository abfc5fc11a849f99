/**
 * The report dir's disk fills up mid-run (a tmpfs too small for every instance's logs): the run fails saying
 * so, leaves no half-written report.json or summary, and a rerun after space is freed finishes the rest.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { emptyRow, lastLine, type Reference, type Row, rerunAndJudge } from './rows.ts';
import { cli, evalArgs, runState, type World } from './world.ts';

const exec = promisify(execFile);

/** A tmpfs of `size` mounted at `dir` for `use(grow)`; `grow()` frees space (remount at 64 MiB). */
export async function onTinyDisk<T>(
  dir: string,
  size: string,
  use: (grow: () => Promise<void>) => Promise<T>,
) {
  await mkdir(dir, { recursive: true });
  await exec('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    return await use(async () => {
      await exec('mount', ['-o', 'remount,size=64m', dir]);
    });
  } finally {
    await exec('umount', [dir]).catch(() => {});
  }
}

/** Whether a failed run's stderr says the disk is full. */
export const saysDiskFull = (stderr: string) => /no space left|ENOSPC|disk.*full/i.test(stderr);

export async function diskFullRow(world: World, ref: Reference): Promise<Row> {
  const row = emptyRow();
  for (const [i, size] of ['24k', '96k'].entries()) {
    const runId = `full-${i}`;
    await onTinyDisk(join(world.root, `full-${i}`), size, async (grow) => {
      const { code, stderr } = await cli(world.root, evalArgs(runId, `full-${i}`)).done;
      const before = await runState(join(world.root, `full-${i}`), runId);
      const says = saysDiskFull(stderr);
      const what = `tmpfs ${size}: exit ${code}, ${before.verdicts.size} finished, error says disk full: ${says} (${lastLine(stderr)}), ${before.damaged} damaged`;
      if (!says || code === 0) row.detail.push(`UNEXPECTED: ${what}`);
      await grow();
      await rerunAndJudge(world, row, ref, runId, what, { reportDir: `full-${i}` });
    });
  }
  return row;
}
