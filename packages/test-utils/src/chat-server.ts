import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a chat-completions request carried, as far as tests look at it. */
export interface ChatRequestBody {
  model?: string;
  messages: { role: string; content: string | null }[];
  tools?: unknown[];
  seed?: number;
  [key: string]: unknown;
}

/** A scripted reply: an assistant message (with usage), a raw HTTP answer, or no answer at all. */
export type ChatReply =
  | {
      content?: string | null;
      /** OpenAI's refusal field (with `content: null`). */
      refusal?: string;
      tool_calls?: unknown[];
      logprobs?: unknown;
      usage?: { prompt_tokens: number; completion_tokens: number };
    }
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'hang';

/**
 * An OpenAI-compatible chat-completions server on loopback that answers by script (`reply` gets the request
 * and its 1-based number): the stand-in for OpenAI, vLLM or SGLang in tests. `url` ends in /v1.
 */
export async function serveChat(
  reply: (body: ChatRequestBody, hit: number) => ChatReply | Promise<ChatReply>,
): Promise<{ url: string; requests: ChatRequestBody[] } & AsyncDisposable> {
  const requests: ChatRequestBody[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', async () => {
      const body = JSON.parse(data || '{}') as ChatRequestBody;
      requests.push(body);
      const r = await reply(body, requests.length);
      if (r === 'hang') return;
      if ('status' in r) {
        res.writeHead(r.status, r.headers);
        return res.end(r.body ?? '{}');
      }
      const { usage, logprobs, ...message } = r;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chat-${requests.length}`,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, logprobs }],
          usage: usage ?? { prompt_tokens: 0, completion_tokens: 0 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The scripted agent for `makePythonSample`'s repo: turn 1 fixes `add` in /testbed/calc.py through the editor
 * tool, turn 2 finishes (a harness reward of 1).
 */
export function fixCalcTurn(body: ChatRequestBody): ChatReply {
  const turn = body.messages.filter((m) => m.role === 'assistant').length;
  const calls = [
    {
      name: 'str_replace_editor',
      arguments: JSON.stringify({
        command: 'str_replace',
        path: '/testbed/calc.py',
        old_str: 'def add(a, b):\n    return a - b',
        new_str: 'def add(a, b):\n    return a + b',
      }),
    },
    { name: 'finish', arguments: '{}' },
  ];
  return {
    content: null,
    tool_calls: [{ id: `c${turn}`, type: 'function', function: calls[Math.min(turn, 1)] }],
    usage: { prompt_tokens: 10, completion_tokens: 5 },
  };
}
