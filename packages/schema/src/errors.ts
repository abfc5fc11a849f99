import { type ErrorCode, kindOf } from './error-codes.js';

/** Whose problem an error is: the caller's input (fix it and retry; CLI exit 2) or a failure of the work (exit 1). */
export type ErrorKind = 'input' | 'failure';

/**
 * Base class of every RepoForge error. `code` is stable across releases, so callers branch on it
 * rather than on messages; `kind` says whether the input was bad or the work failed; `cause` keeps the
 * underlying error.
 */
export class RepoForgeError extends Error {
  readonly code: ErrorCode;
  /** From the one table of codes (ERROR_CODES): a code has the same kind wherever it is thrown. */
  readonly kind: ErrorKind;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kindOf(code);
  }
}

/**
 * Any thrown value as a RepoForgeError (tRPC's getTRPCErrorFromUnknown): RepoForge errors as they are, an
 * abort as `ABORTED`, anything else as `INTERNAL` with the original kept as `cause`.
 */
export function toRepoForgeError(error: unknown): RepoForgeError {
  if (error instanceof RepoForgeError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return new RepoForgeError('ABORTED', error.message, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new RepoForgeError('INTERNAL', message, { cause: error });
}

/** Where a record came from, for error messages: a file name (or stream label) and a 1-based line. */
export interface RecordLocation {
  source: string;
  line: number;
  /** Index of the record in its file (0-based). */
  index: number;
}

/** One problem with one record: where it is, which field, what is wrong. */
export interface RecordIssue extends RecordLocation {
  /** The zod path of the offending field, e.g. `FAIL_TO_PASS` or `tests_status.PASS_TO_PASS.success.2`. */
  path: string;
  message: string;
}

/** Formats an issue as `file:line: field: message`, the form every RepoForge tool prints. */
export function formatRecordIssue(issue: RecordIssue): string {
  const where = `${issue.source}:${issue.line}`;
  // JSON.parse quotes the text around an error, newlines included: keep the message on one line.
  const message = issue.message.replace(/\s*\n\s*/g, ' ');
  return issue.path ? `${where}: ${issue.path}: ${message}` : `${where}: ${message}`;
}

/** A record (JSON value or JSONL row) that did not parse or did not validate. */
export class RecordError extends RepoForgeError {
  readonly issues: RecordIssue[];

  constructor(issues: RecordIssue[], options?: { cause?: unknown }) {
    // One line, as every bad-input error is: the first problem in full, the others by field (all in `issues`).
    const [first, ...rest] = issues;
    const others = rest.map((i) => i.path || `line ${i.line}`);
    const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ', ...' : '');
    const more = rest.length ? ` (+${rest.length} more: ${shown})` : '';
    super('RECORD_INVALID', `${first ? formatRecordIssue(first) : 'invalid records'}${more}`, options);
    this.issues = issues;
  }
}
