import { RepoForgeError } from '@repoforge/schema';

/** Stable codes of @repoforge/deps failures. */
export type DepsErrorCode = 'NO_ECOSYSTEM' | 'MANIFEST_INVALID' | 'ENV_BUILD_FAILED' | 'BACKEND_UNAVAILABLE';

/** A deps failure with a stable `code`. */
export class DepsError extends RepoForgeError {
  declare readonly code: DepsErrorCode;
  constructor(code: DepsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
