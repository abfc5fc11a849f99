import type { TestStatus, TestStatusMap } from '@repoforge/schema';
import { PY_WS, pyLstrip, pyRsplitFirst, pySplit, pyStrip } from './py-str.js';
import type { LogParser } from './types.js';

const STATUSES = ['FAILED', 'PASSED', 'SKIPPED', 'ERROR', 'XFAIL'] as const;
const ALT = STATUSES.join('|');
const STATUS_FIRST = new RegExp(`^(${ALT})[${PY_WS}]+([^${PY_WS}]+)`);
const TEST_FIRST = new RegExp(`^([^${PY_WS}]+)[${PY_WS}]+(${ALT})(?:[${PY_WS}]|$)`);
const SKIP_COUNT = /^\[\p{Nd}+\]/u;

/** One pytest result line (`PASSED a::b`, `FAILED a::b - msg`, `a::b PASSED [ 10%]`); skip summaries ignored. */
function pytestLine(line: string): [string, TestStatus] | undefined {
  const sf = STATUS_FIRST.exec(line);
  if (sf) {
    const status = sf[1] as TestStatus;
    let name = sf[2]!;
    if (status === 'FAILED') name = pySplit(line.replaceAll(' - ', ' '))[1]!;
    if (status === 'SKIPPED' && SKIP_COUNT.test(name)) return undefined;
    return [name, status];
  }
  const tf = TEST_FIRST.exec(line);
  if (tf) return [tf[1]!, tf[2] as TestStatus];
  return undefined;
}

function collect(lines: Iterable<string>, rename: (name: string) => string = (n) => n): TestStatusMap {
  const map: TestStatusMap = {};
  for (const line of lines) {
    const hit = pytestLine(line);
    if (hit) map[rename(hit[0])] = hit[1];
  }
  return map;
}

/** SWE-bench's `parse_log_pytest`. */
export const parseLogPytest: LogParser = (log) => collect(log.split('\n'));

/** Shortens absolute-path options (`test[/tmp/x/y]` -> `test[/y]`) as `parse_log_pytest_options` does. */
function normalizeOption(name: string): string {
  const m = /^([^\n]*?)\[([^\n]*)\]/.exec(name);
  if (!m) return name;
  let [, main, option] = m as unknown as [string, string, string];
  if (option.startsWith('/') && !option.startsWith('//') && !option.includes('*')) {
    option = `/${option.split('/').pop()}`;
  }
  return `${main}[${option}]`;
}

/** SWE-bench's `parse_log_pytest_options`. */
export const parseLogPytestOptions: LogParser = (log) => collect(log.split('\n'), normalizeOption);

/** SWE-bench's `parse_log_pytest_v2`: colour codes and control characters removed first. */
export const parseLogPytestV2: LogParser = (log) =>
  collect(
    log
      .split('\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .map((line) => line.replace(/\[(\p{Nd}+)m/gu, '').replace(/[\x01-\x1f]/g, '')),
  );

/** SWE-bench's `parse_log_django`. */
export const parseLogDjango: LogParser = (log) => {
  const map: TestStatusMap = {};
  let prevTest: string | undefined;
  for (const raw of log.split('\n')) {
    let line = pyStrip(raw);
    if (line.includes('--version is equivalent to version'))
      map['--version is equivalent to version'] = 'PASSED';
    if (line.includes(' ... ')) prevTest = line.split(' ... ')[0];
    for (const suffix of [' ... ok', ' ... OK', ' ...  OK']) {
      if (line.endsWith(suffix)) {
        if (pyStrip(line).startsWith('Applying sites.0002_alter_domain_unique...test_no_migrations')) {
          const i = line.indexOf('...');
          line = pyStrip(line.slice(i + 3));
        }
        map[pyRsplitFirst(line, suffix)] = 'PASSED';
        break;
      }
    }
    if (line.includes(' ... skipped')) map[line.split(' ... skipped')[0]!] = 'SKIPPED';
    if (line.endsWith(' ... FAIL')) map[line.split(' ... FAIL')[0]!] = 'FAILED';
    if (line.startsWith('FAIL:')) map[pyStrip(pySplit(line)[1] ?? '')] = 'FAILED';
    if (line.endsWith(' ... ERROR')) map[line.split(' ... ERROR')[0]!] = 'ERROR';
    if (line.startsWith('ERROR:')) map[pyStrip(pySplit(line)[1] ?? '')] = 'ERROR';
    if (pyLstrip(line).startsWith('ok') && prevTest !== undefined) map[prevTest] = 'PASSED';
  }
  // Django's logger sometimes splits "test ... <noise>\nok" across lines: the three forms SWE-bench knows.
  // Python's MULTILINE ^/$ break lines only at \n, and its `.` excludes only \n: emulated exactly.
  const [bol, eol, any, ws] = ['(?<![^\\n])', '(?![^\\n])', '[^\\n]', `[${PY_WS}]`];
  const patterns = [
    `${bol}(${any}*?)${ws}\\.\\.\\.${ws}Testing against Django installed in ([\\s\\S]*?) silenced\\)\\.\\nok${eol}`,
    `${bol}(${any}*?)${ws}\\.\\.\\.${ws}Internal Server Error: \\/(${any}*)\\/\\nok${eol}`,
    `${bol}(${any}*?)${ws}\\.\\.\\.${ws}System check identified no issues \\(0 silenced\\)\\nok${eol}`,
  ].map((p) => new RegExp(p, 'g'));
  for (const p of patterns) for (const m of log.matchAll(p)) map[m[1]!] = 'PASSED';
  addDocstringAliases(log, map);
  return map;
};

const NAME_ONLY_311 = /^(\w+) \(([\w.]+)\.(\w+)\)$/;
const DESCRIPTION_STATUS: [string, TestStatus][] = [
  [' ... ok', 'PASSED'],
  [' ... OK', 'PASSED'],
  [' ... skipped', 'SKIPPED'],
  [' ... FAIL', 'FAILED'],
  [' ... ERROR', 'ERROR'],
];

/**
 * Python >= 3.11 prints a test with a docstring as its name line (`test_x (m.C.test_x)`) and then the
 * docstring's first non-blank line with the status. SWE-bench's parser keys that test by the docstring line,
 * which is what its lists say for Pythons that show it — but its lists for django < 4.0 (Python 3.6, whose
 * shortDescription is the docstring's first raw line, blank when the text starts on the next line) key many
 * such tests by name. The status is also recorded under the name, so either list matches. Only the 3.11
 * name form triggers this, so logs from SWE-bench's own Pythons parse exactly as before.
 */
function addDocstringAliases(log: string, map: TestStatusMap): void {
  for (const { name, status } of docstringPairs(log)) if (!(name in map)) map[name] = status;
}

/**
 * The tests a Python >= 3.11 unittest log shows by docstring: each one's name (`test_x (m.C)`), the
 * docstring line its status is on (SWE-bench's key for it), and that status. Mining uses it to name such a
 * test as SWE-bench's Python would have.
 */
export function docstringPairs(log: string): { name: string; description: string; status: TestStatus }[] {
  const pairs: { name: string; description: string; status: TestStatus }[] = [];
  const lines = log.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = NAME_ONLY_311.exec(pyStrip(lines[i]!));
    if (!m || m[1] !== m[3]) continue;
    const next = pyStrip(lines[i + 1]!);
    const hit = DESCRIPTION_STATUS.find(([suffix]) => next.endsWith(suffix) || next.includes(`${suffix} `));
    if (hit) pairs.push({ name: `${m[1]} (${m[2]})`, description: next.split(hit[0])[0]!, status: hit[1] });
  }
  return pairs;
}

/** SWE-bench's `parse_log_seaborn`. */
export const parseLogSeaborn: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const line of log.split('\n')) {
    if (line.startsWith('FAILED')) map[pySplit(line)[1]!] = 'FAILED';
    else if (line.includes(' PASSED ')) {
      const parts = pySplit(line);
      if (parts[1] === 'PASSED') map[parts[0]!] = 'PASSED';
    } else if (line.startsWith('PASSED')) map[pySplit(line)[1]!] = 'PASSED';
  }
  return map;
};

/** SWE-bench's `parse_log_sympy`. */
export const parseLogSympy: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const m of log.matchAll(/(_*) ([^\n]*)\.py:([^\n]*) (_*)/g)) map[`${m[2]}.py:${m[3]}`] = 'FAILED';
  for (const raw of log.split('\n')) {
    const line = pyStrip(raw);
    if (!line.startsWith('test_')) continue;
    if (line.endsWith(' E')) map[pySplit(line)[0]!] = 'ERROR';
    if (line.endsWith(' F')) map[pySplit(line)[0]!] = 'FAILED';
    if (line.endsWith(' ok')) map[pySplit(line)[0]!] = 'PASSED';
  }
  return map;
};

/** SWE-bench's `parse_log_matplotlib`. */
export const parseLogMatplotlib: LogParser = (log) => {
  const map: TestStatusMap = {};
  for (const raw of log.split('\n')) {
    let line = raw.replaceAll('MouseButton.LEFT', '1').replaceAll('MouseButton.RIGHT', '3');
    if (!STATUSES.some((s) => line.startsWith(s))) continue;
    if (line.startsWith('FAILED')) line = line.replaceAll(' - ', ' ');
    const parts = pySplit(line);
    if (parts.length <= 1) continue;
    map[parts[1]!] = parts[0] as TestStatus;
  }
  return map;
};
