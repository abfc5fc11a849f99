/**
 * @repoforge/deps — environment planning. Not implemented yet: this release carries only the EnvSpec type
 * the other packages agree on (see the README's status).
 */

/** Ecosystems the planner detects. */
export type Ecosystem = 'node' | 'python';

/** An environment a repo's tests run in; its hash keys a shared image. */
export interface EnvSpec {
  ecosystem: Ecosystem;
  /** Runtime version, e.g. `20.18.0` for Node or `3.11` for Python. */
  runtimeVersion?: string;
  /** Shell steps that install dependencies (run with network `host`). */
  install: string[];
  /** The command that runs the tests, from the repo root. */
  testCommand: string;
  /** Name of the log parser that reads the test output. */
  logParser: string;
}
