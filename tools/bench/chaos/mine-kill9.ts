/**
 * kill -9 of `datagen mine` at spread points (history walk, environment build, validation runs, writing),
 * then a rerun on the same output: the instances must equal an uninterrupted mining's (ids, FAIL_TO_PASS,
 * PASS_TO_PASS), no row twice, and no sandbox of the killed process left.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pythonRecipe, writeRepo } from '@repoforge/datagen/demo';
import { addRun, countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { type Backend, cli, dockerBackend, sleep, type World } from './world.ts';

const POINTS = [0.03, 0.2, 0.4, 0.6, 0.8, 0.95];

export const mineArgs = (out: string, backend: Backend['name'] = 'docker') => [
  ...['datagen', 'mine', '--repo', 'mine-repo', '--out', out, '--backend', backend],
];

/** Instance id -> its test lists, from a mining output. */
export async function mined(path: string): Promise<{ rows: number; byId: Map<string, string> }> {
  if (!existsSync(path)) return { rows: 0, byId: new Map() };
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const byId = new Map<string, string>();
  for (const l of lines) {
    const r = JSON.parse(l);
    byId.set(r.instance_id, JSON.stringify([r.FAIL_TO_PASS, r.PASS_TO_PASS]));
  }
  return { rows: lines.length, byId };
}

/** Adds a faulted mining (after its rerun on the same output) to the row, against the reference's instances. */
export async function judgeMining(
  row: Row,
  expected: Map<string, string>,
  run: {
    out: string;
    pid: number;
    rerunCode: number | null;
    seconds: number;
    /** Where its sandboxes ran (default: Docker on the main engine). */
    backend?: Backend;
    /** Lines that did not parse and temp files the faulted run left (before the rerun). */
    damaged?: number;
    tempFiles?: number;
  },
  world: World,
  what: string,
): Promise<void> {
  const got = await mined(join(world.root, run.out));
  const lost = [...expected.keys()].filter((id) => !got.byId.has(id));
  addRun(row, {
    finished: run.rerunCode === 0,
    lost: lost.length,
    wrong: [...got.byId].filter(([id, v]) => expected.get(id) !== v).length,
    duplicated: got.rows - got.byId.size,
    damaged: run.damaged,
    tempFiles: run.tempFiles,
    leaked: await (run.backend ?? dockerBackend()).leftBy(run.pid),
    seconds: run.seconds,
    detail: `${what}; rerun exit ${run.rerunCode}; ${got.byId.size}/${expected.size} instances${lost.length ? ` (LOST: ${lost.join(', ')})` : ''}`,
  });
}

/** The demo repo mined uninterruptedly: its instances and how long that took. */
export async function mineReference(
  world: World,
  backend: Backend = dockerBackend(),
): Promise<{ byId: Map<string, string>; seconds: number }> {
  if (!existsSync(join(world.root, 'mine-repo')))
    await writeRepo(join(world.root, 'mine-repo'), pythonRecipe({ fixes: 4, edgeCases: true }));
  const mineFresh = async (out: string) => {
    // From scratch (a finished output would resume in no time).
    for (const f of [out, `${out}.state.json`]) await rm(join(world.root, f), { force: true });
    const t = Date.now();
    const ref = await cli(world.root, mineArgs(out, backend.name), backend.env).done;
    if (ref.code !== 0) throw new Error(`reference mining failed: ${lastLine(ref.stderr)}`);
    return { ...(await mined(join(world.root, out))), seconds: (Date.now() - t) / 1000 };
  };
  const expected = await mineFresh(`mine-ref-${backend.name}.jsonl`);
  if (expected.rows === 0) throw new Error('reference mining found no instance');
  // Timed warm: the first mining pays for cold caches (the env build), which later minings skip.
  const { seconds } = await mineFresh(`mine-ref-${backend.name}-warm.jsonl`);
  return { byId: expected.byId, seconds };
}

export async function mineKill9Row(world: World, backend: Backend = dockerBackend()): Promise<Row> {
  const { seconds: refSeconds, ...expected } = await mineReference(world, backend);
  const args = (out: string) => mineArgs(out, backend.name);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const out = `mine-${backend.name}-${i}.jsonl`;
    const child = cli(world.root, args(out), backend.env);
    await sleep(frac * refSeconds * 1000);
    countMissed(row, child);
    child.kill9();
    const killed = await child.done;
    const left = await backend.leftBy(child.pid);
    const t0 = Date.now();
    const rerun = await cli(world.root, args(out), backend.env).done;
    const seconds = (Date.now() - t0) / 1000;
    const what = `killed at ${Math.round(frac * 100)}% (exit ${killed.code}${killed.code === 0 ? ', had finished' : ''}, ${left} sandbox(es) left)`;
    const run = { out, pid: child.pid, rerunCode: rerun.code, seconds, backend };
    await judgeMining(row, expected.byId, run, world, what);
  }
  return row;
}
