import { type Endpoint, openAiEndpoint } from '@repoforge/llm';
import { type ChatMessage, ToolCall } from '@repoforge/schema';

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
  /** Per attempt (default 300 s: long generations). */
  timeoutMs?: number;
  /** Attempts after the first on 429, 5xx, connection errors and timeouts (default 3). */
  maxRetries?: number;
  /** Another endpoint than the openai SDK's (default: openAiEndpoint of the options above). */
  endpoint?: Endpoint;
}

/** vLLM's token ids, returned as `token_id:<n>` tokens when `return_tokens_as_token_ids` is asked for. */
const TOKEN_ID = /^token_id:(\d+)$/;

/** A chat-completions policy on @repoforge/llm's endpoint (the openai SDK: retries, back-off, timeouts, abort). */
export class HttpPolicy implements Policy {
  private readonly endpoint: Endpoint;

  constructor(private readonly options: HttpPolicyOptions) {
    this.endpoint =
      options.endpoint ??
      openAiEndpoint({
        baseUrl: options.baseUrl,
        apiKey: options.apiKey,
        maxRetries: options.maxRetries ?? 3,
        timeoutMs: options.timeoutMs ?? 300_000,
      });
  }

  async next(
    messages: readonly ChatMessage[],
    tools: readonly unknown[],
    signal?: AbortSignal,
  ): Promise<PolicyTurn> {
    const answer = await this.endpoint.create(
      {
        model: this.options.model,
        messages: messages as never,
        tools: tools as never,
        temperature: this.options.temperature ?? 1,
        ...(this.options.maxTokens ? { max_tokens: this.options.maxTokens } : {}),
        ...(this.options.logprobs ? { logprobs: true, return_tokens_as_token_ids: true } : {}),
      },
      { signal },
    );
    const choice = answer.choices[0]!;
    const lp = choice.logprobs?.content ?? undefined;
    return {
      message: {
        content: choice.message.content ?? null,
        // Only function calls are tools this scaffold runs; anything else is dropped here, not executed.
        tool_calls: choice.message.tool_calls?.flatMap((c) => {
          const parsed = ToolCall.safeParse(Object.assign({ type: 'function' }, c));
          return parsed.success ? [parsed.data] : [];
        }),
      },
      logprobs: lp?.map((t) => t.logprob),
      tokenIds: lp?.every((t) => TOKEN_ID.test(t.token))
        ? lp.map((t) => Number(t.token.slice(9)))
        : undefined,
      usage: {
        prompt_tokens: answer.usage?.prompt_tokens ?? 0,
        completion_tokens: answer.usage?.completion_tokens ?? 0,
      },
    };
  }

  /** Kept for callers that closed the old pooled client; the SDK's fetch needs no closing. */
  async close(): Promise<void> {}
}
