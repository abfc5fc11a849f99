import type { TestStatus, TestStatusMap } from '@repoforge/schema';
import { parseLogMocha } from './javascript.js';
import type { LogParser } from './types.js';

/**
 * Parsers that name tests as Multi-SWE-bench's data does, for rows adapted from it. Its names differ from
 * SWE-bench's: jest tests are `<file>:<title>` beside a `<file>` entry for the whole file, and mocha tests are
 * either the full title (suites and title joined by spaces) or the bare title, depending on the repo's era.
 */

/** Worse of two statuses for one name: a failure anywhere under a name is never hidden by a pass elsewhere. */
function worse(a: TestStatus | undefined, b: TestStatus): TestStatus {
  const rank: Record<TestStatus, number> = { FAILED: 4, ERROR: 4, SKIPPED: 1, XFAIL: 2, PASSED: 2 };
  return a && rank[a] >= rank[b] ? a : b;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Jest `--verbose` output as Multi-SWE-bench names it: `PASS|FAIL <file>` gives the file's status under its
 * path, and each `✓|✕|○ <title> (N ms)` below it is `<file>:<title>` (the test's own title, no describe
 * blocks). A title that appears twice in a file keeps the worse status.
 */
export const parseLogMsweJest: LogParser = (log) => {
  const map: TestStatusMap = {};
  let file: string | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.replace(ANSI, '').replace(/\r$/, '');
    const suite = /^\s*(PASS|FAIL)\s+(\S+)/.exec(line);
    if (suite) {
      file = suite[2]!;
      map[file] = worse(map[file], suite[1] === 'PASS' ? 'PASSED' : 'FAILED');
      continue;
    }
    const test = /^\s+([✓✔√✕×○])\s+(.+?)(?:\s+\(\d+(?:\.\d+)?\s*m?s\))?$/.exec(line);
    if (!test || !file) continue;
    const status: TestStatus = '✓✔√'.includes(test[1]!) ? 'PASSED' : test[1] === '○' ? 'SKIPPED' : 'FAILED';
    const name = `${file}:${test[2]!.trim()}`;
    map[name] = worse(map[name], status);
  }
  return map;
};

/**
 * Mocha's spec reporter as Multi-SWE-bench names it: each test under its full title (as `parse_log_mocha`)
 * and under its bare title, the form some of its rows use. Bare titles repeat across suites, so one keeps
 * the worst status of all the tests that share it.
 */
export const parseLogMsweMocha: LogParser = (log, context) => {
  const full = parseLogMocha(log, context);
  const map: TestStatusMap = { ...full };
  const bare = new Map<string, TestStatus>();
  for (const raw of log.split('\n')) {
    const line = raw.replace(ANSI, '');
    const body = line.trim();
    if (/^\d+ (passing|failing|pending)\b/.test(body)) break;
    const pass = /^[✓✔√]\s+(.+?)(?:\s+\(\d+ms\))?$/.exec(body);
    const fail = pass ? null : /^\d+\)\s+(.+)$/.exec(body);
    const pending = pass || fail || !/^\s/.test(line) ? null : /^-\s+(.+)$/.exec(body);
    const hit = pass ?? fail ?? pending;
    if (!hit) continue;
    const status: TestStatus = pass ? 'PASSED' : fail ? 'FAILED' : 'SKIPPED';
    bare.set(hit[1]!, worse(bare.get(hit[1]!), status));
  }
  for (const [title, status] of bare) if (!(title in full)) map[title] = status;
  return map;
};
