import { RepoForgeError } from '@repoforge/schema';

/** Stable codes of harness failures. */
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
  | 'RUN_NOT_FOUND';

/** Codes that mean the caller's input was wrong (a dataset, an env spec, an instance id). */
const INPUT_CODES: ReadonlySet<HarnessErrorCode> = new Set([
  'ENV_SPEC_INVALID',
  'NO_ENV_SPEC',
  'UNKNOWN_INSTANCE',
  'INPUT_INVALID',
  'NO_LOG_PARSER',
  'RUN_NOT_FOUND',
]);

/** A harness failure with a stable `code`; `cause` keeps the underlying error. */
export class HarnessError extends RepoForgeError {
  declare readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, kind: INPUT_CODES.has(code) ? 'input' : 'failure' });
  }
}
