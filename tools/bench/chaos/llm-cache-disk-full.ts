/**
 * The disk under the LLM answer cache fills up while `spice label` runs (a tmpfs of one page, against a
 * chat stand-in): the labelling fails saying so, every cache entry left parses, no temp file is left, the
 * labels written so far parse, and a rerun after space is freed ends with the uninterrupted run's labels,
 * each instance once.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveChat } from '@repoforge/test-utils';
import { onTinyDisk, saysDiskFull } from './disk-full.ts';
import { damage } from './mine-disk-full.ts';
import { addRun, emptyRow, lastLine, type Row } from './rows.ts';
import { cli, type World } from './world.ts';

const LABEL = '{"issue_clarity": 1, "test_validity": 0, "difficulty": 2, "rationales": {}}';

/** Instance id -> its labels, and the number of lines, of a labels file. */
async function labelsOf(path: string): Promise<{ lines: number; byId: Map<string, string> }> {
  if (!existsSync(path)) return { lines: 0, byId: new Map() };
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const byId = new Map<string, string>();
  for (const l of lines) {
    const r = JSON.parse(l);
    byId.set(r.instance_id, JSON.stringify([r.difficulty, r.issue_clarity, r.test_validity, r.keep]));
  }
  return { lines: lines.length, byId };
}

export async function llmCacheDiskFullRow(world: World): Promise<Row> {
  // Answers differ per pass (seed), so every pass writes its own cache entry.
  await using chat = await serveChat((body) => ({
    content: LABEL.replace('"difficulty": 2', `"difficulty": ${(body.seed ?? 0) % 2 ? 2 : 1}`),
    usage: { prompt_tokens: 1000, completion_tokens: 40 },
  }));
  const env = { OPENAI_BASE_URL: chat.url, OPENAI_MODEL: 'stand-in' };
  const args = (out: string, cache: string) => [
    ...['spice', 'label', '--dataset', 'd.jsonl', '--repo-cache', 'repos'],
    ...['--out', out, '--llm-cache', cache],
  ];
  const ref = await cli(world.root, args('labels-ref.jsonl', 'llm-cache-ref'), env).done;
  const expected = (await labelsOf(join(world.root, 'labels-ref.jsonl'))).byId;
  if (ref.code !== 0 || expected.size !== world.ids.length)
    throw new Error(`reference labelling failed (exit ${ref.code}): ${lastLine(ref.stderr)}`);
  const row = emptyRow();
  for (const [i, size] of ['4k', '8k'].entries()) {
    const cache = `llm-cache-full-${i}`;
    const out = `labels-full-${i}.jsonl`;
    await onTinyDisk(join(world.root, cache), size, async (grow) => {
      const { code, stderr } = await cli(world.root, args(out, cache), env).done;
      const left = await damage(join(world.root, cache));
      const before = await labelsOf(join(world.root, out)).catch(() => undefined);
      const says = saysDiskFull(stderr);
      const what = `tmpfs ${size}: exit ${code}, ${before?.byId.size ?? 'a cut line:'} label(s) kept, error says disk full: ${says} (${lastLine(stderr)}), ${left.damaged} damaged cache entries, ${left.tempFiles} temp file(s)`;
      if (!says || code === 0) row.detail.push(`UNEXPECTED: ${what}`);
      await grow();
      const t0 = Date.now();
      const rerun = await cli(world.root, args(out, cache), env).done;
      const seconds = (Date.now() - t0) / 1000;
      const got = await labelsOf(join(world.root, out));
      addRun(row, {
        finished: rerun.code === 0,
        lost: [...expected.keys()].filter((id) => !got.byId.has(id)).length,
        duplicated: got.lines - got.byId.size,
        wrong: [...got.byId].filter(([id, v]) => expected.get(id) !== v).length,
        damaged: left.damaged + (before ? 0 : 1),
        tempFiles: left.tempFiles,
        leaked: 0,
        seconds,
        detail: `${what}; rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}; ${got.byId.size}/${expected.size} labelled`,
      });
    });
  }
  return row;
}
