import { RepoForgeError } from '@repoforge/schema';

export type LlmErrorCode = 'LLM_HTTP' | 'LLM_TIMEOUT' | 'LLM_MALFORMED' | 'LLM_REFUSED' | 'LLM_CONFIG';

/**
 * A model endpoint's failure with a stable code; a missing endpoint is the caller's input, the rest failures.
 * An answer that was never usable (`LLM_MALFORMED`, `LLM_REFUSED`) was still paid for: `costUsd` and `usage`
 * say how much, so callers' cost accounting stays whole.
 */
export class LlmError extends RepoForgeError {
  declare readonly code: LlmErrorCode;
  readonly costUsd: number;
  readonly usage: { prompt_tokens: number; completion_tokens: number };

  constructor(
    code: LlmErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      costUsd?: number;
      usage?: { prompt_tokens: number; completion_tokens: number };
    },
  ) {
    super(code, message, options);
    this.costUsd = options?.costUsd ?? 0;
    this.usage = options?.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
  }
}
