import type { ErrorKind } from './errors.js';

/**
 * Every stable error code of every RepoForge package, with its one kind: `input` (the caller's input was wrong:
 * fix it and retry, CLI exit 2) or `failure` (the work failed, exit 1). A code means the same thing, and exits
 * the same way, wherever it is thrown; package error classes take their kind from here.
 */
export const ERROR_CODES = {
  // any package
  ABORTED: 'failure',
  INTERNAL: 'failure',
  INPUT_INVALID: 'input',
  RECORD_INVALID: 'input',
  RUN_LOCKED: 'input',
  USAGE: 'input',
  REPO_NOT_FOUND: 'input',
  // harness
  COMMIT_NOT_FOUND: 'failure',
  CLONE_FAILED: 'failure',
  ENV_SPEC_INVALID: 'input',
  NO_ENV_SPEC: 'input',
  NO_LOG_PARSER: 'input',
  ENV_BUILD_FAILED: 'failure',
  MATERIALIZE_FAILED: 'failure',
  UNKNOWN_INSTANCE: 'input',
  QUEUE_UNREACHABLE: 'failure',
  QUEUE_UNAVAILABLE: 'failure',
  QUEUE_PAYLOAD_INVALID: 'failure',
  JOB_FAILED: 'failure',
  NOT_SERVABLE: 'failure',
  IMAGE_PULL_FAILED: 'failure',
  RUN_NOT_FOUND: 'input',
  // deps
  NO_ECOSYSTEM: 'failure',
  MANIFEST_INVALID: 'input',
  // llm
  LLM_HTTP: 'failure',
  LLM_TIMEOUT: 'failure',
  LLM_MALFORMED: 'failure',
  LLM_REFUSED: 'failure',
  LLM_CONFIG: 'input',
  // grammars
  GRAMMAR_LOAD_FAILED: 'failure',
  // spice
  NO_VOTES: 'failure',
  NOT_ENOUGH_VOTES: 'failure',
  // sandbox
  ENGINE_UNREACHABLE: 'failure',
  IMAGE_MISSING: 'failure',
  TIMEOUT: 'failure',
  OOM_KILLED: 'failure',
  OUTPUT_TRUNCATED: 'failure',
  NONZERO_EXIT: 'failure',
  SANDBOX_CLOSED: 'failure',
  SANDBOX_LOST: 'failure',
  FILE_NOT_FOUND: 'failure',
  PATH_OUTSIDE_SANDBOX: 'failure',
  PATH_READ_ONLY: 'failure',
  LIMIT_UNSUPPORTED: 'failure',
  BUILD_FAILED: 'failure',
  PULL_FAILED: 'failure',
  REGISTRY_UNREACHABLE: 'failure',
  BACKEND_UNAVAILABLE: 'failure',
  ENGINE_ERROR: 'failure',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one kind of a code. */
export function kindOf(code: ErrorCode): ErrorKind {
  return ERROR_CODES[code];
}
