import { RepoForgeError } from '@repoforge/schema';
import type { ExecResult } from './types.js';

/** Stable codes of sandbox failures. */
export type SandboxErrorCode =
  | 'ENGINE_UNREACHABLE'
  | 'IMAGE_MISSING'
  | 'TIMEOUT'
  | 'OOM_KILLED'
  | 'OUTPUT_TRUNCATED'
  | 'NONZERO_EXIT'
  | 'SANDBOX_CLOSED'
  | 'SANDBOX_LOST'
  | 'FILE_NOT_FOUND'
  | 'PATH_OUTSIDE_SANDBOX'
  | 'PATH_READ_ONLY'
  | 'LIMIT_UNSUPPORTED'
  | 'BUILD_FAILED'
  | 'PULL_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'ABORTED'
  | 'ENGINE_ERROR';

/** Any failure of the sandbox package; `code` is stable, `cause` keeps the engine's error. */
export class SandboxError extends RepoForgeError {
  declare readonly code: SandboxErrorCode;
  constructor(code: SandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An exec that ended badly under `check: true`; carries the full result (output included). */
export class ExecError extends SandboxError {
  readonly result: ExecResult;
  constructor(code: SandboxErrorCode, message: string, result: ExecResult) {
    super(code, message);
    this.result = result;
  }
}

/** Throws the ExecError matching a result's outcome, or returns the result when it succeeded. */
export function checkExecResult(result: ExecResult, what: string): ExecResult {
  if (result.timedOut)
    throw new ExecError('TIMEOUT', `${what} timed out after ${result.durationMs} ms`, result);
  if (result.oomKilled) throw new ExecError('OOM_KILLED', `${what} was killed: out of memory`, result);
  if (result.truncated) throw new ExecError('OUTPUT_TRUNCATED', `${what} exceeded its output limit`, result);
  if (result.exitCode !== 0)
    throw new ExecError('NONZERO_EXIT', `${what} exited with ${result.exitCode}`, result);
  return result;
}
