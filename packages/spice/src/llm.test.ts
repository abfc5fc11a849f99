import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChatClient } from '@repoforge/llm';
import { type ChatReply, serveChat, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  buildRepoMap,
  extractScores,
  labelDataset,
  labelWithLlm,
  SpiceLabels,
  spicePrompt,
} from './index.js';

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

// Answers in the shapes real endpoints give (OpenAI's refusal field, a reasoning model's <think> block, an
// answer cut off by max_tokens inside its rationale, a Python-dict answer, prose only), replayed by a loopback
// chat-completions server.
const LONG_RATIONALE =
  'The issue says `{"a": 1}` should round-trip, and the fix changes `dumps()` in json/encoder.py: ' +
  'it escapes \\"quotes\\" and braces like {x} and }{. '.repeat(80);
const TRANSCRIPT = {
  refusal: { content: null, refusal: "I'm sorry, but I can't help with that request." },
  reasoning: `<think>The patch touches one function... maybe {"difficulty": 3}? No, it is small.</think>
Here is my assessment:
\`\`\`json
{"issue_clarity": 1, "test_validity": 2, "difficulty": 1,
 "rationales": {"issue_clarity": "Clear enough.", "test_validity": ${JSON.stringify(LONG_RATIONALE)},
 "difficulty": "One function."}}
\`\`\``,
  truncated: `{"issue_clarity": 0, "test_validity": 2, "difficulty": 2, "rationales": {"issue_clarity": "The report gives a reproducer and the expected output, and the tests check the message text word for word, which`,
  pythonDict: "Scores: {'issue_clarity': 1, 'test_validity': 1, 'difficulty': 0,}",
  prose: 'This looks like a moderately hard task; the tests seem reasonable.',
};
/** A transcript entry as the server's reply: text is an assistant message's content. */
const reply = (t: string | ChatReply): ChatReply => (typeof t === 'string' ? { content: t } : t);
const usage = { prompt_tokens: 2000, completion_tokens: 300 };
const askCost = (2000 * 0.15 + 300 * 0.6) / 1e6;

/** A server that answers pass `seed` with the script's replies in turn (its last reply from then on). */
async function scripted(script: Record<number, (string | ChatReply)[]>) {
  const asked = new Map<number, number>();
  return serveChat((body) => {
    const seed = body.seed ?? 0;
    const n = asked.get(seed) ?? 0;
    asked.set(seed, n + 1);
    const replies = script[seed]!;
    return { usage, ...(reply(replies[Math.min(n, replies.length - 1)]!) as object) };
  });
}

describe('the LLM labeler on realistic answers', () => {
  it('reads scores from reasoning, truncated and Python-dict answers, keeping long rationales whole', () => {
    expect(extractScores(TRANSCRIPT.reasoning)).toMatchObject({
      issue_clarity: 1,
      test_validity: 2,
      difficulty: 1,
      rationales: { test_validity: LONG_RATIONALE },
    });
    expect(extractScores(TRANSCRIPT.truncated)).toMatchObject({
      issue_clarity: 0,
      test_validity: 2,
      difficulty: 2,
    });
    expect(extractScores(TRANSCRIPT.pythonDict)).toMatchObject({
      issue_clarity: 1,
      test_validity: 1,
      difficulty: 0,
    });
    expect(extractScores(TRANSCRIPT.prose)).toBeUndefined();
    // Only two of three scores: no answer, rather than a guessed one.
    expect(extractScores('"issue_clarity": 1, "difficulty": 2')).toBeUndefined();
  });

  it('votes with the passes that answered, and pays for every answer, refused and re-asked ones too', async () => {
    await using server = await scripted({
      0: [TRANSCRIPT.refusal, TRANSCRIPT.reasoning], // refused, then answered on the re-ask
      1: [TRANSCRIPT.truncated],
      2: [TRANSCRIPT.prose], // never usable: no vote
    });
    const client = new ChatClient({ baseUrl: server.url, model: 'gpt-4o-mini', reasks: 2 });
    const row = SpiceLabels.parse(await labelWithLlm(instance, client));
    expect(row.votes).toEqual({ issue_clarity: [1, 0], test_validity: [2, 2], difficulty: [1, 2] });
    expect(row).toMatchObject({ test_validity: 2, keep: false, source: 'llm' });
    expect(row.rationales.test_validity?.[0]).toBe(LONG_RATIONALE);
    // 2 asks for pass 0, 1 for pass 1, 3 (1 + 2 re-asks) for pass 2.
    expect(server.requests).toHaveLength(6);
    expect(row.cost_usd).toBeCloseTo(6 * askCost, 12);
  });

  it('fails an instance with too few votes, with its cost, and the dataset run goes on', async () => {
    await using server = await serveChat((body) => {
      const refuse = body.messages.at(-1)?.content?.includes('refuse me');
      return { usage, ...(reply(refuse ? TRANSCRIPT.refusal : TRANSCRIPT.reasoning) as object) };
    });
    const client = new ChatClient({ baseUrl: server.url, model: 'gpt-4o-mini', reasks: 1 });
    const hard = { ...instance, instance_id: 'o__r-2', problem_statement: 'refuse me' };
    await expect(labelWithLlm(hard, client)).rejects.toMatchObject({
      code: 'NOT_ENOUGH_VOTES',
      costUsd: expect.closeTo(6 * askCost, 12),
      message: expect.stringContaining(
        "0 of 3 passes gave scores (2 needed); last: the model refused: I'm sorry",
      ),
    });

    await using dir = await tempDir('repoforge-spice-llm-');
    const out = join(dir.path, 'labels.jsonl');
    const label = (i: typeof instance) => labelWithLlm(i, client);
    const first = await labelDataset([hard, instance], { out, label });
    expect(first.rows.map((r) => r.instance_id)).toEqual(['o__r-1']);
    expect(first.failed).toEqual([
      expect.objectContaining({
        instance_id: 'o__r-2',
        code: 'NOT_ENOUGH_VOTES',
        cost_usd: expect.any(Number),
      }),
    ]);
    expect(first.labelled).toBe(1);
    // A rerun keeps the labelled row and tries the failed instance again.
    const before = server.requests.length;
    const again = await labelDataset([hard, instance], { out, label });
    expect(again.failed.map((f) => f.instance_id)).toEqual(['o__r-2']);
    expect(server.requests.length - before).toBe(6);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
