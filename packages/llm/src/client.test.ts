import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveChat, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { ChatClient, LlmError, openAiEndpoint } from './index.js';

const usage = { prompt_tokens: 1000, completion_tokens: 100 };
const valid = (t: string) => t.startsWith('{');

describe('ChatClient against a real HTTP server', () => {
  it('counts tokens and prices them by the model', async () => {
    await using server = await serveChat(() => ({ content: '{"ok": 1}', usage }));
    const client = new ChatClient({ baseUrl: server.url, model: 'gpt-4o-mini', apiKey: 'k' });
    const r = await client.complete([{ role: 'user', content: 'x' }], { seed: 2 });
    expect(r).toEqual({
      content: '{"ok": 1}',
      usage,
      costUsd: (1000 * 0.15 + 100 * 0.6) / 1e6,
      cached: false,
    });
    expect(server.requests[0]).toMatchObject({ model: 'gpt-4o-mini', seed: 2, temperature: 0 });
  });

  it('retries a 429 (Retry-After), a 500 and a malformed answer, then succeeds', async () => {
    const script = ['429', '500', 'malformed', 'ok'];
    await using server = await serveChat((_b, hit) => {
      const step = script[Math.min(hit - 1, script.length - 1)];
      if (step === '429') return { status: 429, headers: { 'retry-after': '0' } };
      if (step === '500') return { status: 500, body: 'oops' };
      return { content: step === 'malformed' ? 'I think it is easy.' : '{"difficulty": 0}' };
    });
    const client = new ChatClient({ baseUrl: server.url });
    const r = await client.complete([{ role: 'user', content: 'x' }], { validate: valid });
    expect(r.content).toBe('{"difficulty": 0}');
    expect(server.requests).toHaveLength(4);
  });

  it('gives up on answers that never validate, with LLM_MALFORMED', async () => {
    await using server = await serveChat(() => ({ content: 'prose' }));
    // HTTP retries (maxRetries) do not multiply re-asks of unusable answers: reasks + 1 requests.
    const client = new ChatClient({ baseUrl: server.url, maxRetries: 4, reasks: 1 });
    await expect(
      client.complete([{ role: 'user', content: 'x' }], { validate: valid }),
    ).rejects.toMatchObject({
      code: 'LLM_MALFORMED',
      kind: 'failure',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('counts the tokens of re-asked answers, and says a refusal is one, with what it cost', async () => {
    await using server = await serveChat((_b, hit) =>
      hit === 1 ? { content: 'prose', usage } : { content: '{"ok": 1}', usage },
    );
    const client = new ChatClient({ baseUrl: server.url, model: 'gpt-4o-mini' });
    const r = await client.complete([{ role: 'user', content: 'x' }], { validate: valid });
    expect(r.usage).toEqual({ prompt_tokens: 2000, completion_tokens: 200 });
    expect(r.costUsd).toBeCloseTo((2 * (1000 * 0.15 + 100 * 0.6)) / 1e6, 12);

    await using refusing = await serveChat(() => ({
      content: null,
      refusal: "I can't help with that.",
      usage,
    }));
    const err = await new ChatClient({ baseUrl: refusing.url, model: 'gpt-4o-mini', reasks: 1 })
      .complete([{ role: 'user', content: 'x' }])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'LLM_REFUSED',
      kind: 'failure',
      message: "the model refused: I can't help with that.",
      usage: { prompt_tokens: 2000, completion_tokens: 200 },
    });
    expect((err as LlmError).costUsd).toBeCloseTo((2 * (1000 * 0.15 + 100 * 0.6)) / 1e6, 12);
  });

  it('does not retry a 400, and says which endpoint answered it', async () => {
    await using server = await serveChat(() => ({ status: 400, body: '{"error":{"message":"bad model"}}' }));
    const client = new ChatClient({ baseUrl: server.url });
    const err = await client.complete([{ role: 'user', content: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({
      code: 'LLM_HTTP',
      message: expect.stringContaining(`HTTP 400 from ${server.url}`),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a hanging server and gives up after its retries, naming the endpoint', async () => {
    await using server = await serveChat(() => 'hang');
    const client = new ChatClient({ baseUrl: server.url, timeoutMs: 200, maxRetries: 1 });
    await expect(client.complete([{ role: 'user', content: 'x' }])).rejects.toMatchObject({
      code: 'LLM_TIMEOUT',
      message: expect.stringContaining(server.url),
    });
    expect(server.requests).toHaveLength(2);
  });

  it('caches answers on disk by the request hash: a rerun costs nothing', async () => {
    await using dir = await tempDir();
    await using server = await serveChat(() => ({ content: '{"a": 1}', usage }));
    const first = await new ChatClient({ baseUrl: server.url, cacheDir: dir.path }).complete([
      { role: 'user', content: 'same' },
    ]);
    const again = await new ChatClient({ baseUrl: server.url, cacheDir: dir.path }).complete([
      { role: 'user', content: 'same' },
    ]);
    expect(first.cached).toBe(false);
    expect(again).toMatchObject({ cached: true, costUsd: 0, content: first.content });
    expect(server.requests).toHaveLength(1);
    // A damaged cache entry (a foreign or truncated file) is a miss: asked again, never returned as an answer.
    const [entry] = (await readdir(dir.path, { recursive: true })).filter((f) => f.endsWith('.json'));
    await writeFile(join(dir.path, entry!), '{"content": 42}');
    const third = await new ChatClient({ baseUrl: server.url, cacheDir: dir.path }).complete([
      { role: 'user', content: 'same' },
    ]);
    expect(third).toMatchObject({ cached: false, content: '{"a": 1}' });
    expect(server.requests).toHaveLength(2);
  });

  // The SDK waits up to 60 s before a retry; the abort must not wait for it (the test's timeout is that check).
  it('aborts on the signal, also while it waits to retry', { timeout: 20_000 }, async () => {
    await using server = await serveChat(() => ({ status: 503, headers: { 'retry-after': '60' } }));
    const client = new ChatClient({ baseUrl: server.url, timeoutMs: 10_000 });
    const ac = new AbortController();
    const done = client.complete([{ role: 'user', content: 'y' }], { signal: ac.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    ac.abort(new Error('stop'));
    await expect(done).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(1);
  });

  it('without an endpoint, a bad-input error', () => {
    const saved = process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_BASE_URL;
    try {
      expect(() => openAiEndpoint()).toThrow(expect.objectContaining({ code: 'LLM_CONFIG', kind: 'input' }));
    } finally {
      if (saved !== undefined) process.env.OPENAI_BASE_URL = saved;
    }
  });
});
