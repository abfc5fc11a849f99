/**
 * The disk under `datagen mine --out` fills up (a tmpfs too small for the instances and the resume state):
 * the mining fails saying so, every line it left parses (no cut row), the resume state parses or is absent,
 * no temp file of an atomic write is left, and a rerun after space is freed ends with the uninterrupted
 * mining's instances, none twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onTinyDisk, saysDiskFull } from './disk-full.ts';
import { judgeMining, mineArgs, mineReference } from './mine-kill9.ts';
import { emptyRow, lastLine, type Row } from './rows.ts';
import { cli, type World } from './world.ts';

/** Lines of the output and state files that do not parse, and temp files, under `dir`. */
export async function damage(dir: string): Promise<{ damaged: number; tempFiles: number; rows: number }> {
  let damaged = 0;
  let rows = 0;
  let tempFiles = 0;
  for (const f of await readdir(dir)) {
    if (f.includes('.tmp')) tempFiles++;
    if (!f.endsWith('.jsonl') && !f.endsWith('.json')) continue;
    const text = await readFile(join(dir, f), 'utf8');
    const docs = f.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : [text];
    for (const doc of docs) {
      try {
        JSON.parse(doc);
        if (f.endsWith('.jsonl')) rows++;
      } catch {
        damaged++;
      }
    }
  }
  return { damaged, tempFiles, rows };
}

export async function mineDiskFullRow(world: World): Promise<Row> {
  const { byId: expected } = await mineReference(world);
  const row = emptyRow();
  for (const [i, size] of ['8k', '20k'].entries()) {
    const dir = `mine-full-${i}`;
    const out = `${dir}/out.jsonl`;
    await onTinyDisk(join(world.root, dir), size, async (grow) => {
      const first = cli(world.root, mineArgs(out));
      const { code, stderr } = await first.done;
      const left = await damage(join(world.root, dir));
      const says = saysDiskFull(stderr);
      const what = `tmpfs ${size}: exit ${code}, ${left.rows} row(s) kept, error says disk full: ${says} (${lastLine(stderr)}), ${left.damaged} damaged, ${left.tempFiles} temp file(s)`;
      if (!says || code === 0) row.detail.push(`UNEXPECTED: ${what}`);
      await grow();
      const t0 = Date.now();
      const rerun = await cli(world.root, mineArgs(out)).done;
      const seconds = (Date.now() - t0) / 1000;
      const run = { out, pid: first.pid, rerunCode: rerun.code, seconds, ...left };
      await judgeMining(row, expected, run, world, what);
    });
  }
  return row;
}
