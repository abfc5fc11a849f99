import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { retry } from '@repoforge/schema';
import { readJsonFile, writeFileAtomic } from '@repoforge/schema/node';
import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { LlmError } from './errors.js';
import { type Endpoint, type EndpointOptions, openAiEndpoint } from './openai.js';

/** An OpenAI chat message. */
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** USD per million tokens, by model name (prefix match). */
export type PriceTable = Record<string, { input: number; output: number }>;

export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
};

export interface ChatClientOptions extends EndpointOptions {
  /** Default $OPENAI_MODEL, else gpt-4o-mini. */
  model?: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Folder for the response cache: the same request twice costs nothing. */
  cacheDir?: string;
  prices?: PriceTable;
  /**
   * Times an unusable answer (rejected by `validate`) is asked again (default 2). HTTP failures are retried by
   * the endpoint (`maxRetries`) under each ask, so a call makes at most (reasks + 1) x (maxRetries + 1) requests.
   */
  reasks?: number;
  /** Another endpoint than the openai SDK's (default: openAiEndpoint(options)). */
  endpoint?: Endpoint;
}

export interface Completion {
  content: string;
  /** Tokens of every ask this completion took (re-asked unusable answers included). */
  usage: { prompt_tokens: number; completion_tokens: number };
  /** What those tokens cost (0 for a cache hit). */
  costUsd: number;
  cached: boolean;
}

/**
 * Text completions for labelling and rewriting: the openai SDK's endpoint (HTTP retries, back-off, timeouts)
 * under a concurrency limit, token usage and cost, an on-disk cache keyed by the request's hash, and
 * `validate`, which asks again (up to `reasks` times) when the model's answer is unusable.
 */
export class ChatClient {
  readonly model: string;
  private readonly endpoint: Endpoint;
  private readonly limit: LimitFunction;

  constructor(private readonly options: ChatClientOptions = {}) {
    this.endpoint = options.endpoint ?? openAiEndpoint(options);
    this.model = options.model ?? process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
    this.limit = pLimit(options.concurrency ?? 4);
  }

  cost(usage: Completion['usage']): number {
    const prices = this.options.prices ?? DEFAULT_PRICES;
    const key = Object.keys(prices)
      .filter((k) => this.model.startsWith(k))
      .sort((a, b) => b.length - a.length)[0];
    const p = key ? prices[key]! : { input: 0, output: 0 };
    return (usage.prompt_tokens * p.input + usage.completion_tokens * p.output) / 1e6;
  }

  /** One chat completion; `validate` may reject the text (malformed output), which is asked again. */
  async complete(
    messages: LlmMessage[],
    options: {
      temperature?: number;
      seed?: number;
      signal?: AbortSignal;
      validate?: (text: string) => boolean;
    } = {},
  ): Promise<Completion> {
    const body = {
      model: this.model,
      messages,
      temperature: options.temperature ?? 0,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    };
    // The key is the request as it was always serialized, so caches written before stay valid.
    const key = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const cacheFile = this.options.cacheDir ? join(this.options.cacheDir, `${key}.json`) : undefined;
    const hit = cacheFile ? await readCached(cacheFile) : undefined;
    if (hit) return { ...hit, cached: true, costUsd: 0 };
    const result = await this.limit(() => this.untilValid(body, options));
    if (cacheFile) {
      await mkdir(this.options.cacheDir!, { recursive: true });
      await writeFileAtomic(cacheFile, JSON.stringify(result));
    }
    return result;
  }

  private async untilValid(
    body: { model: string; messages: LlmMessage[]; temperature: number },
    options: { signal?: AbortSignal; validate?: (text: string) => boolean },
  ): Promise<Completion> {
    let content = '';
    let refusal: string | undefined;
    // Every answer is paid for, the unusable ones too: usage and cost add up all the asks of this call.
    const usage = { prompt_tokens: 0, completion_tokens: 0 };
    // Re-asks are for unusable answers only; HTTP failures are the SDK's retries (maxRetries), not ours.
    const completion = await retry<Completion>(
      async () => {
        const answer = await this.endpoint.create(body, { signal: options.signal });
        const message = answer.choices[0]?.message;
        content = message?.content ?? '';
        refusal = message?.refusal ?? undefined;
        usage.prompt_tokens += answer.usage?.prompt_tokens ?? 0;
        usage.completion_tokens += answer.usage?.completion_tokens ?? 0;
        if (refusal || (options.validate && !options.validate(content))) return { done: false };
        return {
          done: true,
          value: { content, usage: { ...usage }, costUsd: this.cost(usage), cached: false },
        };
      },
      { tries: 1 + (this.options.reasks ?? 2), signal: options.signal },
    );
    if (completion) return completion;
    const spent = { costUsd: this.cost(usage), usage };
    if (refusal) throw new LlmError('LLM_REFUSED', `the model refused: ${refusal.slice(0, 200)}`, spent);
    throw new LlmError('LLM_MALFORMED', `the model's answer was not usable: ${content.slice(0, 200)}`, spent);
  }

  /** Kept for callers that closed the old pooled client; the SDK's fetch needs no closing. */
  async close(): Promise<void> {}
}

const CachedCompletion = z.object({
  content: z.string(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
  costUsd: z.number(),
  cached: z.boolean(),
});

/** A cached completion; a missing, damaged or foreign cache file is a miss, never a wrong answer. */
async function readCached(file: string): Promise<Completion | undefined> {
  try {
    return await readJsonFile(file, CachedCompletion);
  } catch {
    return undefined;
  }
}
