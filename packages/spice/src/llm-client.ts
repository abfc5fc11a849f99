import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@repoforge/schema/node';
import { Agent, errors, request } from 'undici';

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

export interface ChatClientOptions {
  /** e.g. https://api.openai.com/v1 (default $OPENAI_BASE_URL). */
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Attempts after the first on 429, 5xx, timeouts and malformed bodies (default 4). */
  maxRetries?: number;
  timeoutMs?: number;
  /** Folder for the response cache: the same request twice costs nothing. */
  cacheDir?: string;
  prices?: PriceTable;
  /** Base backoff in ms (doubles per retry; Retry-After wins). */
  backoffMs?: number;
}

export interface Completion {
  content: string;
  usage: { prompt_tokens: number; completion_tokens: number };
  costUsd: number;
  cached: boolean;
}

/** A client failure with a stable code. */
export class LlmError extends Error {
  constructor(
    readonly code: 'LLM_HTTP' | 'LLM_TIMEOUT' | 'LLM_MALFORMED' | 'LLM_CONFIG',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmError';
  }
}

/**
 * An OpenAI-compatible chat-completions client over undici: keep-alive pool, a concurrency limit, retries with
 * exponential backoff on 429/5xx/timeouts, AbortSignal, token usage and cost, and an on-disk cache keyed by the
 * request's hash.
 */
export class ChatClient {
  readonly model: string;
  private readonly agent: Agent;
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly baseUrl: string;

  constructor(private readonly options: ChatClientOptions = {}) {
    const base = options.baseUrl ?? process.env.OPENAI_BASE_URL;
    if (!base) throw new LlmError('LLM_CONFIG', 'no LLM endpoint: set OPENAI_BASE_URL or pass baseUrl');
    this.baseUrl = base.replace(/\/+$/, '');
    this.model = options.model ?? process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: options.concurrency ?? 4 });
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= (this.options.concurrency ?? 4)) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  cost(usage: Completion['usage']): number {
    const prices = this.options.prices ?? DEFAULT_PRICES;
    const key = Object.keys(prices)
      .filter((k) => this.model.startsWith(k))
      .sort((a, b) => b.length - a.length)[0];
    const p = key ? prices[key]! : { input: 0, output: 0 };
    return (usage.prompt_tokens * p.input + usage.completion_tokens * p.output) / 1e6;
  }

  /** One chat completion; `validate` may reject the text (malformed output), which is retried like a 5xx. */
  async complete(
    messages: LlmMessage[],
    options: {
      temperature?: number;
      seed?: number;
      signal?: AbortSignal;
      validate?: (text: string) => boolean;
    } = {},
  ): Promise<Completion> {
    const body = JSON.stringify({
      model: this.model,
      messages,
      temperature: options.temperature ?? 0,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    const key = createHash('sha256').update(body).digest('hex');
    const cacheFile = this.options.cacheDir ? join(this.options.cacheDir, `${key}.json`) : undefined;
    if (cacheFile) {
      try {
        const hit = JSON.parse(await readFile(cacheFile, 'utf8')) as Completion;
        return { ...hit, cached: true, costUsd: 0 };
      } catch {}
    }
    const result = await this.slot(() => this.withRetries(body, options));
    if (cacheFile) {
      await mkdir(this.options.cacheDir!, { recursive: true });
      await writeFileAtomic(cacheFile, JSON.stringify(result));
    }
    return result;
  }

  private async withRetries(
    body: string,
    options: { signal?: AbortSignal; validate?: (text: string) => boolean },
  ): Promise<Completion> {
    const retries = this.options.maxRetries ?? 4;
    let last: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      options.signal?.throwIfAborted();
      let wait = (this.options.backoffMs ?? 500) * 2 ** attempt;
      try {
        const signal = AbortSignal.any([
          AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
          ...(options.signal ? [options.signal] : []),
        ]);
        const res = await request(`${this.baseUrl}/chat/completions`, {
          method: 'POST',
          dispatcher: this.agent,
          headers: {
            'content-type': 'application/json',
            ...((this.options.apiKey ?? process.env.OPENAI_API_KEY)
              ? { authorization: `Bearer ${this.options.apiKey ?? process.env.OPENAI_API_KEY}` }
              : {}),
          },
          body,
          signal,
        });
        const text = await res.body.text();
        if (res.statusCode === 429 || res.statusCode >= 500) {
          const ra = Number(res.headers['retry-after']);
          if (Number.isFinite(ra)) wait = ra * 1000;
          last = new LlmError('LLM_HTTP', `HTTP ${res.statusCode} from ${this.baseUrl}`);
        } else if (res.statusCode >= 400) {
          throw new LlmError(
            'LLM_HTTP',
            `HTTP ${res.statusCode} from ${this.baseUrl}: ${text.slice(0, 300)}`,
          );
        } else {
          const j = JSON.parse(text) as {
            choices?: { message?: { content?: string } }[];
            usage?: Completion['usage'];
          };
          const content = j.choices?.[0]?.message?.content ?? '';
          if (!options.validate || options.validate(content)) {
            const usage = {
              prompt_tokens: j.usage?.prompt_tokens ?? 0,
              completion_tokens: j.usage?.completion_tokens ?? 0,
            };
            return { content, usage, costUsd: this.cost(usage), cached: false };
          }
          last = new LlmError(
            'LLM_MALFORMED',
            `the model's answer did not contain the expected labels: ${content.slice(0, 200)}`,
          );
        }
      } catch (error) {
        if (error instanceof LlmError && error.code === 'LLM_HTTP' && !/HTTP (429|5\d\d)/.test(error.message))
          throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        const timedOut =
          error instanceof errors.RequestAbortedError ||
          (error as Error)?.name === 'TimeoutError' ||
          (error as Error)?.name === 'AbortError';
        last = timedOut
          ? new LlmError(
              'LLM_TIMEOUT',
              `no answer from ${this.baseUrl} within ${this.options.timeoutMs ?? 120_000} ms`,
              { cause: error },
            )
          : error;
      }
      if (attempt < retries) await new Promise((r) => setTimeout(r, wait));
    }
    throw last;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
