import { ChatClient } from '@repoforge/llm';
import { serveChat } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { buildRepoMap, extractScores, labelWithLlm, SpiceLabels, spicePrompt } from './index.js';

const good = (d: number) =>
  `<think>hmm {"difficulty": 3}</think>Sure!\n\`\`\`json\n{"issue_clarity": 0, "test_validity": 1, "difficulty": ${d}, "rationales": {"difficulty": "small fix"}}\n\`\`\``;
const instance = {
  instance_id: 'o__r-1',
  repo: 'o/r',
  patch: 'diff --git a/a.py b/a.py\n',
  test_patch: '',
  problem_statement: 'x',
  FAIL_TO_PASS: ['t'],
  PASS_TO_PASS: [],
};

describe('labelling through a chat-completions server', () => {
  it('labels with 3 passes and SPICE consensus, counting tokens and cost', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 100 };
    await using server = await serveChat((body) => ({ content: good(body.seed === 2 ? 2 : 1), usage }));
    const client = new ChatClient({ baseUrl: server.url, model: 'gpt-4o-mini', apiKey: 'k' });
    const row = SpiceLabels.parse(await labelWithLlm(instance, client));
    expect(row).toMatchObject({
      issue_clarity: 0,
      test_validity: 1,
      difficulty: 1,
      controversial: true,
      keep: true,
      source: 'llm',
    });
    expect(row.votes.difficulty).toEqual([1, 1, 2]);
    expect(row.cost_usd).toBeCloseTo((3 * (1000 * 0.15 + 100 * 0.6)) / 1e6, 9);
  });

  it('asks again when an answer has no usable scores', async () => {
    await using server = await serveChat((_b, hit) => ({
      content: hit === 1 ? 'I think it is easy.' : good(0),
    }));
    const client = new ChatClient({ baseUrl: server.url });
    const r = await client.complete(spicePrompt(instance), {
      validate: (t) => extractScores(t) !== undefined,
    });
    expect(extractScores(r.content)?.difficulty).toBe(0);
    expect(server.requests).toHaveLength(2);
  });
});

describe('score extraction and repo map', () => {
  it('survives prose, fences and think blocks; refuses out-of-range scores', () => {
    expect(extractScores(good(2))).toMatchObject({ issue_clarity: 0, test_validity: 1, difficulty: 2 });
    expect(extractScores('{"issue_clarity": 5, "test_validity": 1, "difficulty": 1}')).toBeUndefined();
    expect(extractScores('no json')).toBeUndefined();
  });

  it('maps definitions and the code around each hunk within a budget', async () => {
    const files: Record<string, string> = {
      'pkg/a.py': 'import os\n\n\ndef f(x):\n    return x\n\n\nclass K:\n    def m(self):\n        pass\n',
    };
    const map = await buildRepoMap(
      async (p) => files[p],
      'diff --git a/pkg/a.py b/pkg/a.py\n--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -4,2 +4,2 @@\n',
      '',
    );
    expect(map).toContain('4: def f(x):');
    expect(map).toContain('8: class K:');
    expect(map).toContain('### pkg/a.py around line 4');
    const tiny = await buildRepoMap(
      async (p) => files[p],
      'diff --git a/pkg/a.py b/pkg/a.py\n@@ -4,2 +4,2 @@\n',
      '',
      10,
    );
    expect(tiny.length).toBeLessThanOrEqual(40);
  });
});
