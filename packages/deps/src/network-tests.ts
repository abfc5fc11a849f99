/**
 * What a test prints when it reaches for the internet in a sandbox without a network: failed name
 * resolution or an unreachable network (Node and Python spellings). A refused connection counts only on the
 * web's ports: a test's own server on localhost refusing is a real failure.
 */
export const NETWORK_ERROR =
  /getaddrinfo (ENOTFOUND|EAI_AGAIN)|\bEAI_AGAIN\b|\bENETUNREACH\b|network is unreachable|Temporary failure in name resolution|Name or service not known|nodename nor servname provided|Could not resolve host|Failed to establish a new connection|socket\.gaierror|ECONNREFUSED [\d.]+:(80|443)\b/i;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const ANSI = /\x1b\[[0-9;]*m/g;

/** A log without ANSI colours (old mocha colours its output whatever NO_COLOR says). */
export const stripAnsi = (log: string): string => log.replace(ANSI, '');

/** One failure report in a test log: who failed (its header, and file where the runner says) and why. */
interface FailureBlock {
  /** The title path (suites and test). */
  header: string;
  /** The test's own title, its last segment. */
  title: string;
  file?: string;
  body: string;
}

/**
 * Failure headers by runner: jest `● A › b`, vitest `FAIL f > A > b`, pytest `___ T.t ___` and
 * `FAILED id - why`, unittest `ERROR: t (m.C)`; mocha's numbered list is read apart (below).
 */
const STARTS: { re: RegExp; name: (m: RegExpExecArray) => { path: string[]; file?: string } }[] = [
  { re: /^\s*● (.+)$/, name: (m) => ({ path: m[1]!.split(' › ') }) },
  { re: /^\s*FAIL\s+(\S+)\s+>\s+(.+)$/, name: (m) => ({ path: m[2]!.split(' > '), file: m[1]! }) },
  { re: /^_{3,} (\S.*?) _{3,}$/, name: (m) => ({ path: m[1]!.split(/\.|::/) }) },
  { re: /^(?:FAILED|ERROR) (\S+)(?: - .*)?$/, name: (m) => ({ path: m[1]!.split('::') }) },
  // unittest names the test `test_x (module.Class)`, which is the dataset's spelling too.
  { re: /^(?:ERROR|FAIL): (\S+ \(.+\))$/, name: (m) => ({ path: [m[1]!] }) },
];
const JEST_FILE = /^\s*FAIL\s+(\S+)\s*$/;
const MOCHA_FAILING = /^\s*\d+ failing\b/;
const MOCHA_START = /^\s*\d+\) (.+)$/;
const MAX_BODY_LINES = 80;

/** The failure blocks of a log, for the runners whose failure sections have a recognisable header. */
function failureBlocks(log: string): FailureBlock[] {
  const lines = stripAnsi(log).split('\n');
  const blocks: FailureBlock[] = [];
  let current: (FailureBlock & { lines: number }) | undefined;
  let file: string | undefined;
  let mocha = false;
  const open = (block: FailureBlock) => {
    current = { ...block, lines: 0 };
    blocks.push(current);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    file = JEST_FILE.exec(line)?.[1] ?? file;
    if (MOCHA_FAILING.test(line)) mocha = true;
    const mochaStart = mocha ? MOCHA_START.exec(line) : null;
    if (mochaStart) {
      // Mocha spreads the full title over lines (suites, then the test and a colon).
      const parts = [mochaStart[1]!];
      while (!parts.at(-1)!.endsWith(':') && i + 1 < lines.length && parts.length < 8)
        parts.push(lines[++i]!.trim());
      const title = parts.at(-1)!.replace(/:$/, '');
      open({ header: parts.join(' ').replace(/:$/, ''), title, body: '' });
      continue;
    }
    const start = STARTS.map((s) => ({ s, m: s.re.exec(line) })).find((x) => x.m);
    if (start) {
      const { path, file: own } = start.s.name(start.m!);
      open({ header: path.join(' '), title: path.at(-1)!, file: own ?? file, body: line });
      continue;
    }
    if (current && current.lines++ < MAX_BODY_LINES) current.body += `\n${line}`;
  }
  return blocks;
}

const tokens = (s: string) => s.split(/[\s›>:/.()]+/).filter(Boolean);

/** Whether `a`'s tokens end `b`'s. */
function endsWith(b: string, a: string): boolean {
  const [x, y] = [tokens(a), tokens(b)];
  return x.length > 0 && x.length <= y.length && x.every((tok, i) => y[y.length - x.length + i] === tok);
}

/**
 * The network-failure block that is this test's, if any: the same title path (whichever is longer: runners
 * name tests with or without their suites), or the same title alone when no other failure has that title
 * (jest rows named `<file>:<title>`).
 */
function networkBlockOf(test: string, blocks: FailureBlock[], network: Set<FailureBlock>): boolean {
  const byTitle = blocks.filter((b) => endsWith(test, b.title));
  if (byTitle.length === 1 && network.has(byTitle[0]!)) return true;
  return [...network].some((b) => endsWith(test, b.header) || endsWith(b.header, test));
}

/**
 * The failing tests of a run whose failure report shows a network error: tests that need the internet,
 * which a sandbox without a network cannot run. A file-level name (Multi-SWE-bench's jest rows) counts when
 * every failure in that file is a network one. Kept with the environment, excluded from grading, reported.
 */
export function testsNeedingNetwork(log: string, statusMap: Readonly<Record<string, string>>): string[] {
  const failing = Object.keys(statusMap).filter((t) => statusMap[t] === 'FAILED' || statusMap[t] === 'ERROR');
  if (!failing.length || !NETWORK_ERROR.test(log)) return [];
  const blocks = failureBlocks(log);
  const network = new Set(blocks.filter((b) => NETWORK_ERROR.test(b.body)));
  const byFile = new Map<string, FailureBlock[]>();
  for (const b of blocks) {
    if (!b.file) continue;
    if (!byFile.has(b.file)) byFile.set(b.file, []);
    byFile.get(b.file)!.push(b);
  }
  const found = new Set<string>();
  for (const test of failing) {
    if (networkBlockOf(test, blocks, network)) found.add(test);
    if (byFile.get(test)?.every((b) => network.has(b))) found.add(test);
  }
  return [...found].sort();
}
