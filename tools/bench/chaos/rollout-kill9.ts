/**
 * kill -9 of `rollout run` at spread points, then a rerun on the same --out: every instance ends with exactly
 * one group (the scripted policy fixes the sample, so every sample is resolved: the reward must match), the
 * SFT file holds the records of written groups only, and no sandbox of the killed process is left.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSpecMap } from '@repoforge/harness';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { sampleEnvSpecs, serveChat } from '@repoforge/test-utils';
import { addRun, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, containersOfPid, envImageTag, sleep, type World } from './world.ts';

const POINTS = [0.1, 0.35, 0.6, 0.85];

/** Fixes the sample's bug through the agent's tools, then finishes. */
function scriptedPolicy() {
  return serveChat((body) => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    const edit = {
      command: 'str_replace',
      path: '/testbed/calc.py',
      old_str: 'def add(a, b):\n    return a - b',
      new_str: 'def add(a, b):\n    return a + b',
    };
    const call =
      turn === 0
        ? { name: 'str_replace_editor', arguments: JSON.stringify(edit) }
        : { name: 'finish', arguments: '{}' };
    return { tool_calls: [{ id: `c${turn}`, type: 'function', function: call }] };
  });
}

async function groupsOf(path: string): Promise<{ lines: number; ids: Set<string>; allResolved: boolean }> {
  if (!existsSync(path)) return { lines: 0, ids: new Set(), allResolved: true };
  const rows = (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const allResolved = rows.every((g) => g.samples.every((s: { reward?: number }) => s.reward === 1));
  return { lines: rows.length, ids: new Set(rows.map((g) => g.instance_id)), allResolved };
}

/** SFT records whose group is not in the groups file (or lines that do not parse). */
async function orphanSft(path: string, groups: Set<string>): Promise<number> {
  if (!existsSync(path)) return 0;
  let orphans = 0;
  for (const line of (await readFile(path, 'utf8')).split('\n').filter(Boolean)) {
    try {
      if (!groups.has(JSON.parse(line).instance_id)) orphans++;
    } catch {
      orphans++;
    }
  }
  return orphans;
}

export async function rolloutKill9Row(world: World): Promise<Row> {
  await using policy = await scriptedPolicy();
  // Rollouts take an env spec with an image (e.json builds one from a dockerfile): the image the eval built.
  const { dockerfile: _, ...spec } = EnvSpecMap.parse(sampleEnvSpecs(DEFAULT_IMAGE))['acme/calc']!['*']!;
  const image = await envImageTag(world);
  await writeFile(
    join(world.root, 'e-image.json'),
    JSON.stringify({ 'acme/calc': { '*': { ...spec, image } } }),
  );
  const args = (out: string) => [
    'rollout',
    'run',
    '--dataset',
    'd.jsonl',
    '--env-spec',
    'e-image.json',
    '--repo-cache',
    'repos',
    '--policy-url',
    policy.url,
    '--model',
    'scripted',
    '--samples',
    '2',
    '--concurrency',
    '2',
    '--out',
    out,
    '--sft-out',
    `${out}.sft`,
    '--backend',
    'docker',
  ];
  const t = Date.now();
  const ref = await cli(world.root, args('roll-ref.jsonl')).done;
  const refSeconds = (Date.now() - t) / 1000;
  const expected = await groupsOf(join(world.root, 'roll-ref.jsonl'));
  if (ref.code !== 0 || expected.ids.size !== world.ids.length)
    throw new Error(`reference rollout failed (exit ${ref.code}): ${lastLine(ref.stderr)}`);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const out = `roll-${i}.jsonl`;
    const child = cli(world.root, args(out));
    await sleep(frac * refSeconds * 1000);
    child.kill9();
    const killed = await child.done;
    const before = (await groupsOf(join(world.root, out)).catch(() => undefined))?.ids.size ?? 'a cut line:';
    const t0 = Date.now();
    const rerun = await cli(world.root, args(out)).done;
    const seconds = (Date.now() - t0) / 1000;
    const got = await groupsOf(join(world.root, out));
    const orphans = await orphanSft(join(world.root, `${out}.sft`), got.ids);
    addRun(row, {
      finished: rerun.code === 0,
      lost: [...expected.ids].filter((id) => !got.ids.has(id)).length,
      duplicated: got.lines - got.ids.size,
      wrong: got.allResolved ? 0 : 1,
      damaged: orphans,
      leaked: await containersOfPid(child.pid),
      seconds,
      detail: `killed at ${Math.round(frac * 100)}% (exit ${killed.code}, ${before} group(s) written, kept by the rerun); rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}; ${got.ids.size}/${expected.ids.size} groups, ${orphans} SFT record(s) of unwritten groups`,
    });
  }
  return row;
}
