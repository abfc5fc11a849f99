/**
 * The test command a repo's own `scripts.test` implies, adapted for grading: the repo knows its runner's
 * setup (`--require test/support/env`, `--experimental-vm-modules` for ESM jest, its test folders), which a
 * generic command misses; what grading cannot use (stopping at the first failure, coverage gates, watch
 * mode, other reporters) is dropped, and the reporter the log parser reads is added.
 */

/** Flags that take a value, per runner (so a value is never mistaken for a test path). */
const VALUE_FLAGS: Record<string, ReadonlySet<string>> = {
  mocha: new Set([
    '--require',
    '-r',
    '--reporter',
    '-R',
    '--timeout',
    '-t',
    '--slow',
    '-s',
    '--ui',
    '-u',
    '--grep',
    '-g',
    '--globals',
    '--extension',
    '--file',
    '--config',
    '--reporter-option',
    '-O',
    '--opts',
    '--spec',
  ]),
  jest: new Set([
    '--config',
    '-c',
    '--testPathPattern',
    '--testTimeout',
    '--maxWorkers',
    '-w',
    '--reporters',
  ]),
  vitest: new Set(['--config', '-c', '--reporter', '--outputFile', '--dir', '--root', '--environment']),
};

/** Flags dropped: a graded run needs every test's status, once, in the parser's format, without gates. */
const DROP: Record<string, ReadonlySet<string>> = {
  mocha: new Set(['--bail', '-b', '--watch', '-w', '--forbid-only', '--no-colors', '-C', '--colors', '-c']),
  jest: new Set(['--bail', '--coverage', '--watch', '--watchAll', '--silent', '--json', '--ci', '--verbose']),
  vitest: new Set(['--bail', '--coverage', '--watch', '--silent', 'run']),
};
/** Flags dropped together with their value (the reporter is ours). */
const DROP_WITH_VALUE: Record<string, ReadonlySet<string>> = {
  mocha: new Set(['--reporter', '-R', '--reporter-option', '-O']),
  jest: new Set(['--reporters', '--outputFile']),
  vitest: new Set(['--reporter', '--outputFile']),
};

/** Where the planned jest run writes its results as JSON (cleared before each run: see planNode). */
export const JEST_JSON = '/tmp/repoforge-jest.json';

/**
 * After a jest run, one `[PASSED] suite > test` line per test from its JSON results: the names SWE-bench's
 * `parse_log_jest_json` reads (its verbose `✓ test` lines are what `parse_log_jest` reads), so one run serves
 * both. The run's own exit code is kept. No braces: `{...}` in a test command is a placeholder.
 */
export const JEST_STATUS_LINES = [
  'repoforge_jest=$?',
  `[ -f ${JEST_JSON} ] && node -e 'for (const f of require(process.argv[1]).testResults) for (const a of f.assertionResults) console.log("[" + a.status.toUpperCase() + "] " + [...a.ancestorTitles, a.title].join(" > "))' ${JEST_JSON}`,
  '(exit $repoforge_jest)',
].join('; ');

/** What the runner needs appended for its parser. */
const REPORTING: Record<string, string> = {
  // --exit: a suite that leaves a server or socket open would otherwise hang the graded run until its
  // timeout after its last test (axios 0.27's http tests did, 6 s of tests then 900 s of nothing).
  mocha: '--reporter spec --exit',
  // Two workers even on 2 cores: in band, jest lost test names from its verbose output on a real instance.
  jest: `--verbose --ci --maxWorkers=2 --json --outputFile=${JEST_JSON}`,
  vitest: '--reporter=verbose --reporter=junit --outputFile.junit=/tmp/repoforge-junit.xml',
};

/** Jest flags that choose how many processes run the tests: the script's own choice is kept. */
const JEST_PROCESSES = /^(-i|--runInBand|--run-in-band|-w|--maxWorkers)(=|$)/;

/**
 * The reporting flags for `runner`, minus a worker count where the script already chose one: jest refuses
 * `--runInBand` with `--maxWorkers` ("only one is allowed") and does not run a test. A repo that runs in band
 * may need to (a shared port or database); the ladder's jest-workers rung undoes it if the run stops early.
 */
function reporting(runner: string, kept: readonly string[]): string {
  if (runner === 'mocha' && kept.includes('--exit')) return '--reporter spec';
  if (runner === 'jest' && kept.some((t) => JEST_PROCESSES.test(t)))
    return `--verbose --ci --json --outputFile=${JEST_JSON}`;
  return REPORTING[runner]!;
}

/** Where the runner is named in a script: `mocha`, `_mocha`, `node_modules/.bin/jest`, `jest/bin/jest.js`. */
function runnerIndex(tokens: readonly string[], runner: string): number {
  return tokens.findIndex((t) => {
    const base = t.split('/').pop()!;
    return base === runner || base === `_${runner}` || (t.includes(`/${runner}/`) && base.endsWith('.js'));
  });
}

/**
 * The graded test command for `runner` from a `scripts.test` value, or undefined when the script does not
 * plainly run it (a chain of npm scripts, a shell function, another runner).
 */
export function testCommandFromScript(
  script: string,
  runner: 'mocha' | 'jest' | 'vitest',
): string | undefined {
  const segment = script
    .split(/&&|\|\||;/)
    .map((s) => s.trim())
    .find((s) => runnerIndex(s.split(/\s+/), runner) >= 0);
  if (!segment || /[`$()<>|"']/.test(segment)) return undefined;
  const tokens = segment.split(/\s+/);
  const at = runnerIndex(tokens, runner);
  // Before the runner: `node --experimental-vm-modules` and env assignments are kept; coverage wrappers
  // (`nyc`, `c8`, `istanbul cover`) are not: they gate the exit code on coverage.
  const head = tokens.slice(0, at).filter((t, _i, all) => /^\w+=/.test(t) || all[0] === 'node');
  if (head[0] === 'node' && head.length === 1 && !tokens[at]!.includes('/')) head.length = 0;
  const named = tokens[at]!.startsWith('_') ? runner : tokens[at]!;
  // `vitest` alone watches; `run` is dropped above and put back here, once.
  const runnerToken = runner === 'vitest' ? `${named} run` : named;
  const kept: string[] = [];
  const paths: string[] = [];
  const args = tokens.slice(at + 1);
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    const [flag] = t.split('=');
    if (DROP_WITH_VALUE[runner]!.has(flag!)) {
      if (!t.includes('=')) i++;
      continue;
    }
    if (DROP[runner]!.has(t)) continue;
    if (t === '--') continue;
    if (t.startsWith('-')) {
      kept.push(t);
      if (VALUE_FLAGS[runner]!.has(t) && i + 1 < args.length) kept.push(args[++i]!);
      continue;
    }
    paths.push(t);
  }
  const tests = paths.length ? `{tests:${paths.join(' ')}}` : '{tests}';
  const command = [...head, runnerToken, ...kept, reporting(runner, kept), tests].join(' ');
  return runner === 'jest' ? `${command}; ${JEST_STATUS_LINES}` : command;
}

/** A script that builds what the tests import (`build`, `build:dist`, `compile`), by its name. */
const BUILD_SCRIPT = /^(build|compile)(:[\w:*.-]+)?$/;
/** `npm run x`, `npm run-script x`, `yarn x`, `yarn run x`, `pnpm x`, `pnpm run x`: the scripts a segment calls. */
const SCRIPT_CALL = /^(?:npm\s+run(?:-script)?|yarn(?:\s+run)?|pnpm(?:\s+run)?)\s+([\w:.*-]+)$/;
/** npm-run-all's serial forms: `run-s a b`, `npm-run-all a b`, `npm-run-all -s a b`. */
const RUN_ALL = /^(?:run-s|npm-run-all)\s+(.+)$/;
const RUNNER_NAMES = /(^|[\s/])_?(jest|mocha|vitest|karma|ava|tap)(\s|$|\.js)/;

/** The npm scripts one `&&`/`;` segment of a script runs, in order (none for a plain command). */
function scriptsCalled(segment: string): string[] {
  const call = SCRIPT_CALL.exec(segment);
  if (call) return [call[1]!];
  const all = RUN_ALL.exec(segment);
  return all ? all[1]!.split(/\s+/).filter((t) => !t.startsWith('-')) : [];
}

/**
 * The build steps a repo's own `npm test` runs before its test runner (`pretest`, then `scripts.test`,
 * following npm-run-all and `npm run` chains): immutable-js's `run-s format lint type-check build unit-test`
 * tests the built `dist/` in CI mode. A graded run must build the patched sources the same way, before the
 * tests and without the lint/format/type-check gates around it. Each step is an `npm run` of a build script.
 */
export function buildStepsBeforeTests(scripts: Readonly<Record<string, string>>): string[] {
  const steps: string[] = [];
  let reachedTests = false;
  const walk = (body: string, depth: number) => {
    for (const segment of body.split(/&&|;/).map((s) => s.trim())) {
      if (reachedTests) return;
      const called = scriptsCalled(segment);
      if (!called.length && RUNNER_NAMES.test(segment)) reachedTests = true;
      for (const name of called) {
        if (reachedTests) return;
        if (BUILD_SCRIPT.test(name) && name.includes('*')) steps.push(`npx run-s '${name}'`);
        else if (BUILD_SCRIPT.test(name) && scripts[name] !== undefined) steps.push(`npm run ${name}`);
        else if (depth < 3 && scripts[name] !== undefined) walk(scripts[name]!, depth + 1);
      }
    }
  };
  walk(scripts.pretest ?? '', 1);
  walk(scripts.test ?? '', 1);
  return steps;
}

/**
 * The script that runs `runner` in the repo's `npm test`: `scripts.test` itself when a segment of it names
 * the runner, else the first script its `npm run` / npm-run-all chain reaches that does (axios:
 * `npm run test:eslint && npm run test:mocha && ...` -> `mocha test/unit/**\/*.js --timeout 30000 --exit`).
 */
export function scriptRunning(scripts: Readonly<Record<string, string>>, runner: string): string | undefined {
  const runs = (body: string) =>
    body
      .split(/&&|\|\||;/)
      .some((s) => !scriptsCalled(s.trim()).length && runnerIndex(s.trim().split(/\s+/), runner) >= 0);
  const visit = (body: string, depth: number): string | undefined => {
    if (runs(body)) return body;
    if (depth >= 3) return undefined;
    for (const segment of body.split(/&&|;/)) {
      for (const name of scriptsCalled(segment.trim())) {
        const found = scripts[name] === undefined ? undefined : visit(scripts[name]!, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(scripts.test ?? '', 1);
}

/**
 * The environment assignments the repo's own script gives `runner` (`cross-env BABEL_NO_MODULES=true karma
 * start`: preact's babel config keeps ES modules for esbuild only then), found along the `npm test` chain, else
 * in the script named `test:<runner>`. Coverage switches are left out, as coverage wrappers are: they instrument
 * and gate, they do not change what the tests check.
 */
export function envOfScriptRunning(scripts: Readonly<Record<string, string>>, runner: string): string[] {
  const script = scriptRunning(scripts, runner) ?? scripts[`test:${runner}`] ?? '';
  const segment = script
    .split(/&&|\|\||;/)
    .map((s) => s.trim().split(/\s+/))
    .find((tokens) => runnerIndex(tokens, runner) >= 0);
  if (!segment) return [];
  return segment
    .slice(0, runnerIndex(segment, runner))
    .filter((t) => /^[A-Za-z_]\w*=[\w.:/,-]*$/.test(t) && !/^\w*COVERAGE\w*=/i.test(t));
}
