import { RepoForgeError } from '@repoforge/schema';

export type LlmErrorCode = 'LLM_HTTP' | 'LLM_TIMEOUT' | 'LLM_MALFORMED' | 'LLM_CONFIG';

/** A model endpoint's failure with a stable code; a missing endpoint is the caller's input, the rest failures. */
export class LlmError extends RepoForgeError {
  declare readonly code: LlmErrorCode;

  constructor(code: LlmErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
