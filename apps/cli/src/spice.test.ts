import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveChat, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

const inst = (id: string) => ({
  repo: 'o/r',
  instance_id: id,
  base_commit: 'abc',
  patch: 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n',
  test_patch: '',
  problem_statement: 'x should be 2',
  FAIL_TO_PASS: '["t"]',
  PASS_TO_PASS: '[]',
});

describe('repoforge spice label / eval', () => {
  it('labels offline, resumes, and evaluates against annotations', async () => {
    await using dir = await tempDir();
    await writeFile(
      join(dir.path, 'd.jsonl'),
      [inst('o__r-1'), inst('o__r-2')].map((r) => JSON.stringify(r)).join('\n'),
    );
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(
      await runCli(['spice', 'label', '--dataset', 'd.jsonl', '--offline', '--out', 'l.jsonl'], t.io),
    ).toBe(0);
    expect(t.stdout()).toMatch(/labelled 2 \(2 new\).*cost \$0\.0000 \(offline\)/);
    const again = bufferedIO();
    again.io.cwd = dir.path;
    await runCli(['spice', 'label', '--dataset', 'd.jsonl', '--offline', '--out', 'l.jsonl'], again.io);
    expect(again.stdout()).toMatch(/labelled 2 \(0 new\)/);
    await writeFile(
      join(dir.path, 'a.csv'),
      'instance_id,underspecified,false_negative,difficulty\no__r-1,0.0,1.0,<15 min fix\no__r-2,1.0,0.0,15 min - 1 hour\n',
    );
    const e = bufferedIO();
    e.io.cwd = dir.path;
    expect(
      await runCli(['spice', 'eval', '--labels', 'l.jsonl', '--annotations', 'a.csv', '--json'], e.io),
    ).toBe(0);
    expect(JSON.parse(e.stdout()).difficulty.n).toBe(2);
  });

  it('fit is byte-reproducible, and eval cross-validates the offline model folded by repo and by time', async () => {
    await using dir = await tempDir();
    const rows = Array.from({ length: 24 }, (_, i) => ({
      ...inst(`o${i % 3}__r-${i}`),
      repo: `o${i % 3}/r`,
      created_at: `2020-01-${String(i + 1).padStart(2, '0')}`,
      patch: inst('x').patch.repeat(1 + (i % 4)),
    }));
    await writeFile(join(dir.path, 'd.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const csv = rows.map(
      (r, i) => `${r.instance_id},${i % 2}.0,${i % 3 ? 0 : 1}.0,${i % 4 ? '<15 min fix' : '1-4 hours'}`,
    );
    await writeFile(
      join(dir.path, 'a.csv'),
      `instance_id,underspecified,false_negative,difficulty\n${csv.join('\n')}\n`,
    );
    const fit = async (out: string) => {
      const t = bufferedIO();
      t.io.cwd = dir.path;
      const code = await runCli(
        ['spice', 'fit', '--annotations', 'a.csv', '--instances', 'd.jsonl', '--seed', '3', '--out', out],
        t.io,
      );
      expect(code, t.stderr()).toBe(0);
      return readFile(join(dir.path, out), 'utf8');
    };
    expect(await fit('m1.json')).toBe(await fit('m2.json'));
    const e = bufferedIO();
    e.io.cwd = dir.path;
    expect(
      await runCli(['spice', 'eval', '--annotations', 'a.csv', '--instances', 'd.jsonl', '--json'], e.io),
    ).toBe(0);
    const cv = JSON.parse(e.stdout());
    expect(cv.repo.difficulty.n).toBe(24);
    expect(cv.time.difficulty.majorityBaseline).toBe(0.75);
  });

  it('a malformed --offline-model is bad input: exit 2, one line naming the file and the field', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'd.jsonl'), JSON.stringify(inst('o__r-1')));
    await writeFile(
      join(dir.path, 'model.json'),
      JSON.stringify({ version: 1, features: ['a'], mean: [0], std: ['x'], labels: {}, trainedOn: 1 }),
    );
    const t = bufferedIO();
    t.io.cwd = dir.path;
    const args = ['spice', 'label', '--dataset', 'd.jsonl', '--offline', '--out', 'l.jsonl'];
    expect(await runCli([...args, '--offline-model', 'model.json'], t.io)).toBe(2);
    expect(t.stderr().trim().split('\n')).toHaveLength(1);
    expect(t.stderr()).toMatch(/model\.json:1.*std\[0\]/);
  });

  it('labels through an OpenAI-compatible endpoint ($OPENAI_BASE_URL), printing the cost and what it could not label', async () => {
    await using dir = await tempDir();
    const answer = '{"issue_clarity": 1, "test_validity": 0, "difficulty": 2, "rationales": {}}';
    await using server = await serveChat((body) => ({
      usage: { prompt_tokens: 2000, completion_tokens: 50 },
      ...(body.messages.at(-1)?.content?.includes('refuse me')
        ? { content: null, refusal: 'I cannot help with that.' }
        : { content: answer }),
    }));
    const refused = { ...inst('o__r-2'), problem_statement: 'refuse me' };
    await writeFile(
      join(dir.path, 'd.jsonl'),
      [inst('o__r-1'), refused].map((r) => JSON.stringify(r)).join('\n'),
    );
    const t = bufferedIO({ OPENAI_BASE_URL: server.url, OPENAI_MODEL: 'gpt-4o-mini' });
    t.io.cwd = dir.path;
    expect(
      await runCli(['spice', 'label', '--dataset', 'd.jsonl', '--out', 'l.jsonl', '--passes', '2'], t.io),
    ).toBe(1);
    // 2 passes for o__r-1, 2 x 3 refused asks for o__r-2: 8 answers paid for (8 x $0.00033).
    expect(server.requests).toHaveLength(8);
    expect(t.stdout()).toMatch(/labelled 1 \(1 new\), 1 not labelled .*cost \$0\.0026 \(llm:gpt-4o-mini\)/);
    expect(t.stderr()).toContain(
      'not labelled: o__r-2: 0 of 2 passes gave scores (2 needed); last: the model refused',
    );
    const row = JSON.parse(await readFile(join(dir.path, 'l.jsonl'), 'utf8'));
    expect(row).toMatchObject({ difficulty: 2, source: 'llm', votes: { difficulty: [2, 2] }, keep: false });
  });
});
