import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRepoMap, ChatClient, extractScores, labelWithLlm, SpiceLabels, spicePrompt } from './index.js';

type Handler = (
  body: { messages: { content: string }[]; seed?: number },
  res: ServerResponse,
  req: IncomingMessage,
) => void;
let handler: Handler = () => {};
let hits = 0;
let url = '';
const server = createServer((req, res) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    hits++;
    handler(JSON.parse(data || '{}'), res, req);
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
const answer = (res: ServerResponse, content: string, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      choices: [{ message: { role: 'assistant', content } }],
      usage: { prompt_tokens: 1000, completion_tokens: 100 },
    }),
  );
};
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

describe('chat-completions client against a real HTTP server', () => {
  it('labels with 3 passes and SPICE consensus, counting tokens and cost', async () => {
    handler = (body, res) => answer(res, good(body.seed === 2 ? 2 : 1));
    const client = new ChatClient({ baseUrl: url, model: 'gpt-4o-mini', apiKey: 'k' });
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
    await client.close();
  });

  it('retries a 429 (Retry-After), a 500 and a malformed answer, then succeeds', async () => {
    const script = ['429', '500', 'malformed', 'ok'];
    hits = 0;
    handler = (_b, res) => {
      const step = script[Math.min(hits - 1, script.length - 1)];
      if (step === '429') {
        res.writeHead(429, { 'retry-after': '0' });
        return res.end('{}');
      }
      if (step === '500') {
        res.writeHead(500);
        return res.end('oops');
      }
      answer(res, step === 'malformed' ? 'I think it is easy.' : good(0));
    };
    const client = new ChatClient({ baseUrl: url, backoffMs: 5 });
    const r = await client.complete(spicePrompt(instance), {
      validate: (t) => extractScores(t) !== undefined,
    });
    expect(extractScores(r.content)?.difficulty).toBe(0);
    expect(hits).toBe(4);
    await client.close();
  });

  it('times out a hanging server and gives up after its retries, naming the endpoint', async () => {
    handler = () => {}; // never answers
    const client = new ChatClient({ baseUrl: url, timeoutMs: 200, maxRetries: 1, backoffMs: 5 });
    const t = Date.now();
    await expect(client.complete([{ role: 'user', content: 'x' }])).rejects.toMatchObject({
      code: 'LLM_TIMEOUT',
      message: expect.stringContaining(url),
    });
    expect(Date.now() - t).toBeLessThan(3000);
    await client.close();
  });

  it('caches answers on disk by the request hash: a rerun costs nothing', async () => {
    await using dir = await tempDir();
    hits = 0;
    handler = (_b, res) => answer(res, good(1));
    const client = new ChatClient({ baseUrl: url, cacheDir: dir.path });
    const first = await client.complete([{ role: 'user', content: 'same' }]);
    const again = await new ChatClient({ baseUrl: url, cacheDir: dir.path }).complete([
      { role: 'user', content: 'same' },
    ]);
    expect(first.cached).toBe(false);
    expect(again).toMatchObject({ cached: true, costUsd: 0, content: first.content });
    expect(hits).toBe(1);
    await client.close();
  });

  it('aborts on the signal', async () => {
    handler = () => {};
    const client = new ChatClient({ baseUrl: url, timeoutMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 100);
    await expect(client.complete([{ role: 'user', content: 'y' }], { signal: ac.signal })).rejects.toThrow(
      'stop',
    );
    await client.close();
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
