import { RepoForgeError } from '@repoforge/schema';

/** Stable codes of harness failures (their kinds: schema's ERROR_CODES). */
export type HarnessErrorCode =
  | 'REPO_NOT_FOUND'
  | 'COMMIT_NOT_FOUND'
  | 'CLONE_FAILED'
  | 'ENV_SPEC_INVALID'
  | 'NO_ENV_SPEC'
  | 'NO_LOG_PARSER'
  | 'ENV_BUILD_FAILED'
  | 'MATERIALIZE_FAILED'
  | 'UNKNOWN_INSTANCE'
  | 'INPUT_INVALID'
  | 'QUEUE_UNREACHABLE'
  | 'QUEUE_UNAVAILABLE'
  | 'NOT_SERVABLE'
  | 'IMAGE_PULL_FAILED'
  | 'RUN_NOT_FOUND'
  | 'QUEUE_PAYLOAD_INVALID'
  | 'JOB_FAILED';

/** A harness failure with a stable `code`; `cause` keeps the underlying error. */
export class HarnessError extends RepoForgeError {
  declare readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
