import { serveChat } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { HttpPolicy } from './index.js';

const call = { id: 'c1', type: 'function', function: { name: 'finish', arguments: '{}' } };
const logprobs = {
  content: [
    { token: 'token_id:17', logprob: -0.5, bytes: null, top_logprobs: [] },
    { token: 'token_id:4', logprob: -0.25, bytes: null, top_logprobs: [] },
  ],
};

describe('HttpPolicy against a chat-completions server', () => {
  it("asks for vLLM's token ids and returns them with the logprobs and the tool call", async () => {
    await using server = await serveChat(() => ({
      tool_calls: [call],
      logprobs,
      usage: { prompt_tokens: 9, completion_tokens: 2 },
    }));
    const policy = new HttpPolicy({ baseUrl: server.url, model: 'p', logprobs: true, maxTokens: 64 });
    const turn = await policy.next(
      [{ role: 'user', content: 'go' }],
      [{ type: 'function', function: { name: 'finish' } }],
    );
    expect(turn).toEqual({
      message: { content: null, tool_calls: [call] },
      tokenIds: [17, 4],
      logprobs: [-0.5, -0.25],
      usage: { prompt_tokens: 9, completion_tokens: 2 },
    });
    expect(server.requests[0]).toMatchObject({
      model: 'p',
      logprobs: true,
      return_tokens_as_token_ids: true,
      max_tokens: 64,
      temperature: 1,
    });
  });

  it('retries a 503 and stops on the signal', async () => {
    await using server = await serveChat((_b, hit) => (hit === 1 ? { status: 503 } : { content: 'ok' }));
    const policy = new HttpPolicy({ baseUrl: server.url, model: 'p' });
    expect((await policy.next([{ role: 'user', content: 'go' }], [])).message.content).toBe('ok');
    expect(server.requests).toHaveLength(2);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(policy.next([{ role: 'user', content: 'go' }], [], ac.signal)).rejects.toThrow('stop');
  });
});
