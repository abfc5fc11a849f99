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
  | 'REGISTRY_UNREACHABLE'
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

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT']);

/**
 * True when `error` (or a cause of it) says the sandbox or its engine went away — the container was removed
 * under a command, or the engine stopped answering — rather than that the work inside failed. Such a failure
 * is nobody's verdict: callers retry it once the engine answers or leave the work for a rerun, never grade it.
 */
export function isEngineFault(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SandboxError) {
      if (e.code === 'SANDBOX_LOST' || e.code === 'ENGINE_UNREACHABLE') return true;
      if (e.code !== 'ENGINE_ERROR') return false;
    }
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    // ENOENT is an engine fault only as a socket that is not there (a missing file is something else).
    if (
      typeof code === 'string' &&
      CONNECTION_CODES.has(code) &&
      (code !== 'ENOENT' || syscall === 'connect')
    )
      return true;
  }
  return false;
}
