import type { TestStatusMap } from '@repoforge/schema';
import { pyStrip } from './py-str.js';
import type { LogParser } from './types.js';

/** SWE-bench's `parse_log_gotest`: `--- PASS: Name (0.00s)` lines. */
export const parseLogGoTest: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const line of log.split('\n')) {
    const m = /^--- (PASS|FAIL|SKIP): ([^\n]+) \(([^\n]+)\)$/.exec(pyStrip(line));
    if (m) map[m[2]!] = m[1] === 'PASS' ? 'PASSED' : m[1] === 'FAIL' ? 'FAILED' : 'SKIPPED';
  }
  return map;
};

/** `cargo test` output: `test path::name ... ok | FAILED | ignored`. */
export const parseLogCargo: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const line of log.split('\n')) {
    const m = /^test (\S+) \.\.\. (ok|FAILED|ignored)(?:,|\s|$)/.exec(pyStrip(line));
    if (m) map[m[1]!] = m[2] === 'ok' ? 'PASSED' : m[2] === 'FAILED' ? 'FAILED' : 'SKIPPED';
  }
  return map;
};
