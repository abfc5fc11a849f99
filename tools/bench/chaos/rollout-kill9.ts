/**
 * kill -9 of `rollout run` at spread points, then a rerun on the same --out: every instance ends with exactly
 * one group (the scripted policy fixes the sample, so every sample is resolved: the reward must match), the
 * SFT file holds the records of written groups only, and no sandbox of the killed process is left.
 */

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpecMap } from '@repoforge/schema';
import { sampleEnvSpecs, serveChat } from '@repoforge/test-utils';
import { addRun, countMissed, emptyRow, lastLine, type Row } from './rows.ts';
import { type Backend, cli, dockerBackend, envImageTag, sleep, type World } from './world.ts';

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

interface Sample {
  reward?: number;
  stop_reason?: string;
  error?: string;
  metadata?: { grading_error?: string };
}

async function groupsOf(
  path: string,
): Promise<{ lines: number; ids: Set<string>; allResolved: boolean; firstBad?: string }> {
  if (!existsSync(path)) return { lines: 0, ids: new Set(), allResolved: true };
  const rows = (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const bad = rows.flatMap((g) => g.samples as Sample[]).find((s) => s.reward !== 1);
  const firstBad = bad && `${bad.stop_reason}: ${bad.error ?? bad.metadata?.grading_error ?? 'unresolved'}`;
  return { lines: rows.length, ids: new Set(rows.map((g) => g.instance_id)), allResolved: !bad, firstBad };
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

/** The rollout run of the world (the scripted policy, the eval's image) and its uninterrupted reference. */
export interface RolloutSetup extends AsyncDisposable {
  args: (out: string) => string[];
  backend: Backend;
  refSeconds: number;
  expected: Set<string>;
}

/** `--env-spec` for Docker: rollouts take an image (e.json builds one from a dockerfile), the eval's. */
async function envSpecArgs(world: World): Promise<string[]> {
  const { dockerfile: _, ...spec } = EnvSpecMap.parse(sampleEnvSpecs(DEFAULT_IMAGE))['acme/calc']!['*']!;
  const image = await envImageTag(world);
  await writeFile(
    join(world.root, 'e-image.json'),
    JSON.stringify({ 'acme/calc': { '*': { ...spec, image } } }),
  );
  return ['--env-spec', 'e-image.json'];
}

export async function rolloutSetup(world: World, backend: Backend = dockerBackend()): Promise<RolloutSetup> {
  const policy = await scriptedPolicy();
  // The local backend plans each repo's environment itself.
  const envSpec = backend.name === 'docker' ? await envSpecArgs(world) : [];
  const args = (out: string) => [
    ...['rollout', 'run', '--dataset', 'd.jsonl', ...envSpec, '--repo-cache', 'repos'],
    ...['--policy-url', policy.url, '--model', 'scripted', '--samples', '2', '--concurrency', '2'],
    ...['--out', out, '--sft-out', `${out}.sft`, '--backend', backend.name],
  ];
  const refOut = `roll-ref-${backend.name}.jsonl`;
  const t = Date.now();
  const ref = await cli(world.root, args(refOut), backend.env).done;
  const refSeconds = (Date.now() - t) / 1000;
  const expected = (await groupsOf(join(world.root, refOut))).ids;
  if (ref.code !== 0 || expected.size !== world.ids.length)
    throw new Error(`reference rollout failed (exit ${ref.code}): ${lastLine(ref.stderr)}`);
  return {
    args,
    backend,
    refSeconds,
    expected,
    [Symbol.asyncDispose]: () => policy[Symbol.asyncDispose](),
  };
}

/** Reruns a faulted rollout on the same --out and adds what it ended with to the row. */
export async function rerunRollout(
  world: World,
  row: Row,
  setup: RolloutSetup,
  faulted: { out: string; pid: number; what: string },
): Promise<void> {
  const { env } = setup.backend;
  const { out } = faulted;
  const before = (await groupsOf(join(world.root, out)).catch(() => undefined))?.ids.size ?? 'a cut line:';
  const t0 = Date.now();
  const rerun = await cli(world.root, setup.args(out), env).done;
  const seconds = (Date.now() - t0) / 1000;
  const got = await groupsOf(join(world.root, out));
  const orphans = await orphanSft(join(world.root, `${out}.sft`), got.ids);
  addRun(row, {
    finished: rerun.code === 0,
    lost: [...setup.expected].filter((id) => !got.ids.has(id)).length,
    duplicated: got.lines - got.ids.size,
    wrong: got.allResolved ? 0 : 1,
    damaged: orphans,
    leaked: await setup.backend.leftBy(faulted.pid),
    seconds,
    detail: `${faulted.what} (${before} group(s) written, kept by the rerun); rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}; ${got.ids.size}/${setup.expected.size} groups, ${orphans} SFT record(s) of unwritten groups${got.firstBad ? `; WRONG: ${got.firstBad.slice(0, 300)}` : ''}`,
  });
}

export async function rolloutKill9Row(world: World, backend: Backend = dockerBackend()): Promise<Row> {
  await using setup = await rolloutSetup(world, backend);
  const row = emptyRow();
  for (const [i, frac] of POINTS.entries()) {
    const out = `roll-${backend.name}-${i}.jsonl`;
    const child = cli(world.root, setup.args(out), backend.env);
    await sleep(frac * setup.refSeconds * 1000);
    countMissed(row, child);
    child.kill9();
    const killed = await child.done;
    const left = await backend.leftBy(child.pid);
    const what = `killed at ${Math.round(frac * 100)}% (exit ${killed.code}, ${left} sandbox(es) left)`;
    await rerunRollout(world, row, setup, { out, pid: child.pid, what });
  }
  return row;
}
