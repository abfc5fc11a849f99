import { untilAborted } from '@repoforge/schema';
import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import { LlmError } from './errors.js';

/** Where an OpenAI-compatible server is (OpenAI, vLLM, SGLang) and how hard to try it. */
export interface EndpointOptions {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1 (default $OPENAI_BASE_URL). */
  baseUrl?: string;
  /** Default $OPENAI_API_KEY; servers that need none get a placeholder. */
  apiKey?: string;
  /** Attempts after the first on 429, 5xx, connection errors and timeouts (the SDK's back-off; Retry-After up to 60 s). */
  maxRetries?: number;
  /** Per attempt. */
  timeoutMs?: number;
  /** Injected for tests or proxies (default: the global fetch). */
  fetch?: typeof fetch;
}

/** A chat-completions request: the SDK's fields plus server extensions (vLLM's `return_tokens_as_token_ids`). */
export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'> & Record<string, unknown>;

/** The endpoint as the openai SDK client, the one HTTP client RepoForge talks to models with. */
export interface Endpoint {
  readonly baseUrl: string;
  create(body: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatCompletion>;
}

/** An Endpoint over the openai SDK: retries, back-off and timeouts are the SDK's; errors become LlmError. */
export function openAiEndpoint(options: EndpointOptions = {}): Endpoint {
  const baseUrl = (options.baseUrl ?? process.env.OPENAI_BASE_URL)?.replace(/\/+$/, '');
  if (!baseUrl) throw new LlmError('LLM_CONFIG', 'no LLM endpoint: set OPENAI_BASE_URL or pass baseUrl');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const client = new OpenAI({
    baseURL: baseUrl,
    apiKey: options.apiKey ?? process.env.OPENAI_API_KEY ?? 'none',
    maxRetries: options.maxRetries ?? 4,
    timeout: timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    baseUrl,
    async create(body, { signal } = {}) {
      try {
        const call = client.chat.completions.create(body as ChatCompletionCreateParamsNonStreaming, {
          signal,
        });
        return await untilAborted(call, signal);
      } catch (error) {
        throw asLlmError(error, { baseUrl, timeoutMs, signal });
      }
    },
  };
}

/** The SDK's errors as RepoForge's: an abort is the signal's own reason, so callers see what they aborted with. */
function asLlmError(
  error: unknown,
  at: { baseUrl: string; timeoutMs: number; signal?: AbortSignal },
): unknown {
  if (at.signal?.aborted) return at.signal.reason;
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError('LLM_TIMEOUT', `no answer from ${at.baseUrl} within ${at.timeoutMs} ms`, {
      cause: error,
    });
  if (error instanceof OpenAI.APIError) {
    const status = error.status ? `HTTP ${error.status}` : 'no connection';
    return new LlmError('LLM_HTTP', `${status} from ${at.baseUrl}: ${error.message.slice(0, 300)}`, {
      cause: error,
    });
  }
  return error;
}
