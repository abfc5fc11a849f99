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

export async function diskFullRow(world: World, ref: Reference): Promise<Row> {
  const row = emptyRow();
  for (const [i, size] of ['24k', '96k'].entries()) {
    const runId = `full-${i}`;
    const dir = join(world.root, `full-${i}`);
    await mkdir(dir, { recursive: true });
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    try {
      const { code, stderr } = await cli(world.root, evalArgs(runId, `full-${i}`)).done;
      const before = await runState(dir, runId);
      const says = /no space left|ENOSPC|disk.*full/i.test(stderr);
      const what = `tmpfs ${size}: exit ${code}, ${before.verdicts.size} finished, error says disk full: ${says} (${lastLine(stderr)}), ${before.damaged} damaged`;
      if (!says || code === 0) row.detail.push(`UNEXPECTED: ${what}`);
      await exec('mount', ['-o', 'remount,size=64m', dir]);
      await rerunAndJudge(world, row, ref, runId, what, { reportDir: `full-${i}` });
    } finally {
      await exec('umount', [dir]).catch(() => {});
    }
  }
  return row;
}
