import type { TestStatusMap } from '@repoforge/schema';
import { HarnessError } from '../errors.js';
import { PY_WS, pyLstrip, pyStrip } from './py-str.js';
import type { LogParser } from './types.js';

// Python regex pieces: `.` is [^\n], `\s` is Python's whitespace, `\d` any Unicode digit.
const WS = `[${PY_WS}]`;

function eachStripped(log: string, re: RegExp, onMatch: (m: RegExpExecArray) => void): void {
  for (const line of log.split('\n')) {
    const m = re.exec(pyStrip(line));
    if (m) onMatch(m);
  }
}

/** SWE-bench's `parse_log_jest` (assumes `--verbose`). */
export const parseLogJest: LogParser = (log) => {
  const map: TestStatusMap = {};
  const re = new RegExp(`^${WS}*(✓|✕|○)${WS}([^\\n]+?)(?:${WS}\\((\\p{Nd}+${WS}*m?s)\\))?$`, 'u');
  eachStripped(log, re, (m) => {
    const name = pyStrip(m[2]!);
    map[name] = m[1] === '✓' ? 'PASSED' : m[1] === '✕' ? 'FAILED' : 'SKIPPED';
  });
  return map;
};

/** SWE-bench's `parse_log_jest_json` (`[PASSED] name` lines from Jest's --json through jq). */
export const parseLogJestJson: LogParser = (log) => {
  const map: TestStatusMap = {};
  eachStripped(log, new RegExp(`^\\[(PASSED|FAILED)\\]${WS}([^\\n]+)$`), (m) => {
    map[m[2]!] = m[1] as 'PASSED' | 'FAILED';
  });
  return map;
};

/** SWE-bench's `parse_log_vitest` (assumes `--reporter=verbose`). */
export const parseLogVitest: LogParser = (log) => {
  const map: TestStatusMap = {};
  const re = new RegExp(`^${WS}*(✓|×|↓)${WS}([^\\n]+?)(?:${WS}(\\p{Nd}+${WS}*m?s?|\\[skipped\\]))?$`, 'u');
  eachStripped(log, re, (m) => {
    map[m[2]!] = m[1] === '✓' ? 'PASSED' : m[1] === '×' ? 'FAILED' : 'SKIPPED';
  });
  return map;
};

/** SWE-bench's `parse_log_tap`. */
export const parseLogTap: LogParser = (log) => {
  const map: TestStatusMap = {};
  eachStripped(log, /^(ok|not ok) (\p{Nd}+) ([^\n]+)$/u, (m) => {
    map[m[3]!] = m[1] === 'ok' ? 'PASSED' : 'FAILED';
  });
  return map;
};

/**
 * TAP from node-tap, ava and node:test as RepoForge plans them: like `parse_log_tap`, but directives are read
 * (`# SKIP` / `# TODO` -> SKIPPED) and stripped, and so are timings (`# time=12ms`), so a test keeps one name
 * across runs.
 */
export const parseLogNodeTap: LogParser = (log) => {
  const map: TestStatusMap = {};
  eachStripped(log, /^(ok|not ok) (\p{Nd}+) ([^\n]+)$/u, (m) => {
    const [name = '', directive = ''] = m[3]!.split(/\s+#\s+/, 2);
    const clean = name.replace(/^-\s+/, '').trim();
    if (/^(SKIP|TODO)\b/i.test(directive)) map[clean] = 'SKIPPED';
    else map[clean] = m[1] === 'ok' ? 'PASSED' : 'FAILED';
  });
  return map;
};

/** SWE-bench's `parse_log_karma` (suites by indentation, `✔`/`✖` results, after "Starting browser"). */
export const parseLogKarma: LogParser = (log) => {
  const map: TestStatusMap = {};
  let indent = -1;
  const suite: string[] = [];
  let started = false;
  const re = new RegExp(`^(${WS}*)?([✔✖])?${WS}([^\\n]*)$`);
  for (const line of log.split('\n')) {
    if (line.startsWith('SUMMARY:')) return map;
    if (line.includes('Starting browser')) {
      started = true;
      continue;
    }
    if (!started) continue;
    const m = re.exec(line);
    if (!m) continue;
    const [, ind, status, name] = m;
    if (ind && !status) {
      if (ind.length > indent) {
        indent = ind.length;
        suite.push(name!);
      } else if (ind.length < indent) {
        indent = ind.length;
        suite.pop();
        continue;
      }
    }
    if (status === '✔' || status === '✖')
      map[[...suite, name].join(' > ')] = status === '✔' ? 'PASSED' : 'FAILED';
  }
  return map;
};

/** SWE-bench's `parse_log_marked` (failures only; graded fail-only). */
export const parseLogMarked: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const line of log.split('\n')) {
    const m = new RegExp(`^\\p{Nd}+\\)${WS}([^\\n]*)`, 'u').exec(line);
    if (m) map[pyStrip(m[1]!)] = 'FAILED';
  }
  return map;
};

/** SWE-bench's `parse_log_immutable_js`: the parser depends on the PR. */
export const parseLogImmutableJs: LogParser = (log, ctx) => {
  const pr = ctx?.instanceId?.split('-').pop();
  if (pr === '2006') return parseLogJest(log, ctx);
  if (pr === '2005') return parseLogJestJson(log, ctx);
  throw new HarnessError(
    'NO_LOG_PARSER',
    `parse_log_immutable_js: no parser for instance ${ctx?.instanceId} (SWE-bench's knows PRs 2005 and 2006)`,
  );
};

/**
 * Mocha's default `spec` reporter: `✓ title` / `✔ title` passes, `N) title` failures, `- title` pending, with
 * describe blocks as indentation. Names are the suite path joined by spaces (what `--grep` matches).
 */
export const parseLogMocha: LogParser = (log) => {
  const map: TestStatusMap = {};
  const stack: { indent: number; name: string }[] = [];
  for (const raw of log.split('\n')) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r$/, '');
    if (/^\s*\d+ (passing|failing|pending)\b/.test(line)) break;
    const body = pyLstrip(line);
    if (!body) continue;
    const indent = line.length - body.length;
    // The reporter indents every suite and test; a line at column 0 is the tests' own output (warnings, "pipeline
    // error: ..."), or a diff line the whole-log fallback reads. It must not close the open suites (axios-5316
    // prints Node's ExperimentalWarning between a suite title and its test).
    if (indent === 0) continue;
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const full = (title: string) => [...stack.map((s) => s.name), title].join(' ');
    const pass = /^[✓✔√]\s+(.+?)(?:\s+\(\d+ms\))?$/.exec(body);
    const fail = pass ? null : /^\d+\)\s+(.+)$/.exec(body);
    const pending = pass || fail ? null : /^-\s+(.+)$/.exec(body);
    if (pass) map[full(pass[1]!)] = 'PASSED';
    else if (fail) map[full(fail[1]!)] = 'FAILED';
    else if (pending) map[full(pending[1]!)] = 'SKIPPED';
    else stack.push({ indent, name: body });
  }
  return map;
};
