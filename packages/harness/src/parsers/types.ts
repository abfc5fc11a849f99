import type { TestStatusMap } from '@repoforge/schema';

/** What a parser may need besides the log (SWE-bench passes its TestSpec). */
export interface ParseContext {
  instanceId?: string;
  repo?: string;
  /** The instance's version (django's names depend on it). */
  version?: string;
}

/** A log parser: a pure function from test output to test statuses (later lines win). */
export type LogParser = (log: string, context?: ParseContext) => TestStatusMap;
