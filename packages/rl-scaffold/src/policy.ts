import type { ChatMessage, ToolCall } from '@repoforge/schema';
import { Agent, request } from 'undici';

/** One policy turn: the assistant message, and token data when the server returns it. */
export interface PolicyTurn {
  message: { content: string | null; tool_calls?: ToolCall[] };
  tokenIds?: number[];
  logprobs?: number[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

/** Anything that maps a conversation to the next assistant turn (a real server, or a simulation). */
export interface Policy {
  next(
    messages: readonly ChatMessage[],
    tools: readonly unknown[],
    signal?: AbortSignal,
  ): Promise<PolicyTurn>;
}

export interface HttpPolicyOptions {
  /** OpenAI-compatible base URL (vLLM, SGLang, OpenAI), e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Ask for logprobs (and token ids where the server supports `return_tokens_as_token_ids`). */
  logprobs?: boolean;
  timeoutMs?: number;
  maxRetries?: number;
  connections?: number;
}

/** A chat-completions policy over undici with a keep-alive pool, retries on 429/5xx/timeouts, AbortSignal. */
export class HttpPolicy implements Policy {
  private readonly agent: Agent;

  constructor(private readonly options: HttpPolicyOptions) {
    this.agent = new Agent({ keepAliveTimeout: 60_000, connections: options.connections ?? 64 });
  }

  async next(
    messages: readonly ChatMessage[],
    tools: readonly unknown[],
    signal?: AbortSignal,
  ): Promise<PolicyTurn> {
    const body = JSON.stringify({
      model: this.options.model,
      messages,
      tools,
      temperature: this.options.temperature ?? 1,
      ...(this.options.maxTokens ? { max_tokens: this.options.maxTokens } : {}),
      ...(this.options.logprobs ? { logprobs: true, return_tokens_as_token_ids: true } : {}),
    });
    let last: unknown;
    for (let attempt = 0; attempt <= (this.options.maxRetries ?? 3); attempt++) {
      signal?.throwIfAborted();
      try {
        const res = await request(`${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
          method: 'POST',
          dispatcher: this.agent,
          headers: {
            'content-type': 'application/json',
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body,
          signal: AbortSignal.any([
            AbortSignal.timeout(this.options.timeoutMs ?? 300_000),
            ...(signal ? [signal] : []),
          ]),
        });
        const text = await res.body.text();
        if (res.statusCode === 429 || res.statusCode >= 500) {
          last = new Error(`policy HTTP ${res.statusCode}`);
        } else if (res.statusCode >= 400) {
          throw new Error(`policy HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
        } else {
          const j = JSON.parse(text) as {
            choices: {
              message: { content: string | null; tool_calls?: ToolCall[] };
              logprobs?: { content?: { token: string; logprob: number }[] };
            }[];
            usage?: PolicyTurn['usage'];
          };
          const choice = j.choices[0]!;
          const lp = choice.logprobs?.content;
          return {
            message: { content: choice.message.content ?? null, tool_calls: choice.message.tool_calls },
            logprobs: lp?.map((t) => t.logprob),
            tokenIds: lp?.every((t) => /^token_id:\d+$/.test(t.token))
              ? lp.map((t) => Number(t.token.slice(9)))
              : undefined,
            usage: j.usage ?? { prompt_tokens: 0, completion_tokens: 0 },
          };
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof Error && /policy HTTP 4/.test(error.message)) throw error;
        last = error;
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    throw last;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
