import { isEngineFault } from '@repoforge/sandbox';
import type { BuiltEnv, EnvProvider } from './build/env-builder.js';
import { DepsError } from './errors.js';
import { NETWORK_ERROR, stripAnsi, testsNeedingNetwork } from './network-tests.js';
import { NODE_VERSIONS } from './plan/node.js';
import { type EnvPlan, envPlanHash } from './spec.js';

/** Why an environment attempt failed, from what the install or the test run printed. */
export type FailureClass =
  | 'install_conflict'
  /** The lockfile no longer matches its package.json (a stale commit, or a fix that declares a dependency). */
  | 'lockfile_out_of_sync'
  | 'needs_git_dependency'
  | 'install_failed'
  | 'unknown_flag'
  | 'wrong_runtime'
  | 'network_at_test_time'
  | 'no_tests_found'
  | 'runner_crashed'
  /**
   * An installed package lacks what its install script makes (a native binary, a generated file): installs run
   * with --ignore-scripts except for the packages the lockfile says need them.
   */
  | 'install_script_skipped'
  | 'results_incomplete'
  /** The test command names an interpreter the image lacks (`#!/usr/bin/env python` with only python3). */
  | 'interpreter_missing';

/** What a verification run of the test command saw: parsed test results, not just an exit code. */
export interface VerifyResult {
  tests: number;
  exitCode: number;
  log: string;
  /** The parsed statuses, when the verifier has them: tests that need the internet are found from them. */
  statusMap?: Readonly<Record<string, string>>;
}

/** One rung of the repair ladder: for a failure it knows, a changed environment to try next. */
export interface Rung {
  name: string;
  /** Whether the rung can answer this failure of this spec. */
  applies(failure: FailureClass, spec: EnvPlan): boolean;
  /** The spec to try next, or undefined when it has nothing to change (an agent rung may ask a model here). */
  apply(
    spec: EnvPlan,
    failure: { class: FailureClass; detail: string; log: string },
    options?: { signal?: AbortSignal },
  ): Promise<EnvPlan | undefined>;
}

/** One attempt, kept with the environment: what was tried, and what came of it. */
export interface EnvAttempt {
  rung: string;
  specHash: string;
  outcome: 'ok' | FailureClass;
  detail: string;
  ms: number;
}

export interface ObtainedEnv {
  spec: EnvPlan;
  built: BuiltEnv;
  attempts: EnvAttempt[];
}

const RULES: [FailureClass, RegExp][] = [
  [
    'install_script_skipped',
    // A binary, a file a package's own code requires (`require('../build/x')` from node_modules), or a karma
    // plugin that failed to load (karma prints no stack), esbuild's own word for its missing binary: what an
    // install script would have made.
    /Cannot find module '[^'\n]*\.node'|Could not locate the bindings file|was compiled against a different Node\.js version|Cannot find module '\.\.?\/[^'\n]*'\nRequire stack:\n- \S*\/node_modules\/|Cannot find plugin "[^"\n]*node_modules\/|Failed to install correctly\s+Make sure you don't have "ignore-scripts"/,
  ],
  [
    'interpreter_missing',
    /\/usr\/bin\/env: ['‘]?python['’]?: No such file or directory|(^|\s)python: (command )?not found/m,
  ],
  [
    'lockfile_out_of_sync',
    // npm ci, yarn 1 --frozen-lockfile, pnpm --frozen-lockfile: each refuses a lockfile its manifest outgrew.
    /can only install packages when your package\.json and (package-lock\.json|npm-shrinkwrap\.json)[^\n]* are in sync|npm ERR! Missing: \S+ from lock file|npm ERR! Invalid: lock file's |Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`|ERR_PNPM_OUTDATED_LOCKFILE/,
  ],
  ['needs_git_dependency', /ssh: not found|git@github\.com|Permission denied \(publickey\)|git\+ssh:/i],
  [
    'install_conflict',
    // npm's code in capitals, as a word: case-blind, `eResolve` inside any name in a log (`safeResolve`) matched.
    /\bERESOLVE|[Pp]eer dep(endency)? conflict|Conflicting peer dependency|[Uu]nable to resolve dependency tree/,
  ],
  ['unknown_flag', /unknown option|unrecognized option|Unknown (argument|option)|invalid option/i],
  ['network_at_test_time', NETWORK_ERROR],
  [
    'wrong_runtime',
    // npm and pnpm only warn of an unsupported engine (unless engine-strict): a warning is not the failure.
    /The engine "node" is incompatible|(?<!warn[^\n]{0,60})Unsupported engine|SyntaxError: Unexpected token|ERR_REQUIRE_ESM|is not a function.*structuredClone|Cannot find module 'node:/i,
  ],
  ['no_tests_found', /No tests found|0 passing|no test files found|Error: No test files found/i],
];

/** The failure class of an install or test log, with the detail that decides the repair (e.g. the flag). */
export function classifyFailure(
  log: string,
  stage: 'install' | 'test',
): { class: FailureClass; detail: string } {
  for (const [cls, re] of RULES) {
    const m = re.exec(log);
    if (!m) continue;
    if (cls === 'install_script_skipped')
      return {
        class: cls,
        detail: m[0].startsWith('Cannot find plugin') ? '' : (scriptlessPackageIn(log, m.index) ?? ''),
      };
    if (cls === 'unknown_flag') {
      const flag = /unknown option[:\s]+['"`]?(-{1,2}[\w-]+)/i.exec(log)?.[1] ?? '';
      return { class: cls, detail: flag };
    }
    return { class: cls, detail: m[0] };
  }
  return stage === 'install'
    ? { class: 'install_failed', detail: lastLines(log) }
    : { class: 'runner_crashed', detail: lastLines(log) };
}

/**
 * Runners that end every finished run with a summary line. Results without it mean the runner stopped
 * mid-run (a test ended the process, a crash, an OOM kill): some tests' results are missing, so the
 * environment is not accepted as it is.
 */
const RUN_SUMMARY: Partial<Record<string, RegExp>> = {
  parse_log_jest: /^\s*Tests:\s+.*\b\d+ total\b/m,
  parse_log_mocha: /^\s*\d+ passing\b/m,
};

/** Whether a log with test results lacks the summary its runner always prints at the end of a run. */
export function runCutShort(log: string, logParser: string): boolean {
  const summary = RUN_SUMMARY[logParser];
  // Old mocha colours its summary whatever NO_COLOR says (express 4: `\x1b[92m \x1b[0m\x1b[32m 861 passing`).
  return summary !== undefined && !summary.test(stripAnsi(log));
}

/**
 * The package whose install script did not run: the first `node_modules/<name>/` after the error (its require
 * stack), past the `bindings` helpers that only locate binaries for others.
 */
function scriptlessPackageIn(log: string, from: number): string | undefined {
  for (const m of log.slice(from, from + 4000).matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g))
    if (m[1] !== 'bindings' && m[1] !== 'node-gyp-build') return m[1];
  return undefined;
}

const lastLines = (log: string) => log.trim().split('\n').slice(-3).join(' | ').slice(0, 300);

/** npm: resolve peer dependencies as npm 6 did (old repos pin plugins against older hosts). */
export const legacyPeerDeps: Rung = {
  name: 'legacy-peer-deps',
  applies: (f, s) =>
    f === 'install_conflict' && s.install.strategy === 'npm' && !/legacy-peer-deps/.test(s.install.command),
  apply: async (s) =>
    s.install.strategy === 'npm'
      ? { ...s, install: { ...s.install, command: `${s.install.command} --legacy-peer-deps` } }
      : undefined,
};

/** Each manager's frozen install, and the install that updates the lockfile where the manifest outgrew it. */
const UPDATING_INSTALL: Partial<Record<string, [RegExp, string]>> = {
  npm: [/\bnpm ci\b/, 'npm install'],
  pnpm: [/ --frozen-lockfile\b/, ' --no-frozen-lockfile'],
  yarn: [/ --frozen-lockfile\b/, ''],
};

const updatingInstall = (s: EnvPlan) => {
  const install = s.install;
  if (!('command' in install)) return undefined;
  const rule = UPDATING_INSTALL[install.strategy];
  return rule?.[0].test(install.command) ? install.command.replace(rule[0], rule[1]) : undefined;
};

/**
 * A lockfile its package.json outgrew: install with the lockfile's pins where they still hold and resolve the
 * rest (what SWE-bench's eval scripts do with `npm install` after applying a fix that adds a dependency).
 */
export const updateLockfile: Rung = {
  name: 'update-lockfile',
  applies: (f, s) => f === 'lockfile_out_of_sync' && updatingInstall(s) !== undefined,
  apply: async (s) => {
    const command = updatingInstall(s);
    if (command === undefined || !('command' in s.install)) return undefined;
    return {
      ...s,
      install: { ...s.install, command },
      notes: [...s.notes, 'the lockfile is out of date with package.json: installed with it updated'],
    };
  },
};

/**
 * A package whose install script never ran (npm v1 and yarn lockfiles do not say which packages have one, so
 * the install skipped it): its scripts run after the install, on the toolchain layer (node-gyp with Node's own
 * headers), first for the package the failure names, then, if the failure stays or names none (karma hides
 * its plugins' errors), for every installed package, as an install with scripts would have.
 */
export const runInstallScripts: Rung = {
  name: 'run-install-scripts',
  applies: (f, s) => f === 'install_script_skipped' && 'files' in s.install,
  apply: async (s, { detail }) => {
    const install = s.install;
    if (!('files' in install) || install.native?.includes(ALL_PACKAGES)) return undefined;
    const one = detail && !install.native?.includes(detail) ? detail : undefined;
    // pnpm rebuilds its own store; npm rebuilds a node_modules tree whichever manager wrote it.
    const manager = /(npx --yes pnpm@\S+) install/.exec(install.command)?.[1] ?? 'npm';
    return {
      ...s,
      install: {
        ...install,
        native: [...(install.native ?? []), one ?? ALL_PACKAGES],
        command: `${install.command} && ${manager} rebuild${one ? ` ${one}` : ''}`,
      },
      notes: [
        ...s.notes,
        one
          ? `ran the install scripts of ${one}: what they make was missing (the lockfile does not say it has any)`
          : "ran every package's install scripts: a package lacked what its scripts make",
      ],
    };
  },
};

/** In an install's `native` list: every package's install scripts run (`npm rebuild` with no names). */
const ALL_PACKAGES = '*';

/** A Python script's `#!/usr/bin/env python` finds no `python` (Debian has python3): Debian's alias for it. */
export const pythonAlias: Rung = {
  name: 'python-alias',
  applies: (f, s) => f === 'interpreter_missing' && !s.systemPackages.includes('python-is-python3'),
  apply: async (s) => ({
    ...s,
    systemPackages: [...s.systemPackages, 'python-is-python3'],
    notes: [
      ...s.notes,
      'added python-is-python3: the test command runs `python`, the image had only python3',
    ],
  }),
};

/** The installed runner rejects a flag the plan added: drop it (and nothing else). */
export const dropUnknownFlag: Rung = {
  name: 'drop-unknown-flag',
  applies: (f) => f === 'unknown_flag',
  apply: async (s, { detail }) => {
    if (!detail || !s.testCmd.includes(detail)) return undefined;
    const testCmd = s.testCmd
      .split(' ')
      .filter((t) => t !== detail && !t.startsWith(`${detail}=`))
      .join(' ');
    return { ...s, testCmd, notes: [...s.notes, `dropped ${detail}: the installed runner does not know it`] };
  },
};

/**
 * Another Node: the older ones, nearest first, then the newer (old code on new Node breaks more often than the
 * reverse); at most two tries.
 */
export const otherNodeVersion: Rung = {
  name: 'other-node-version',
  applies: (f, s) =>
    s.runtime.name === 'node' && (f === 'wrong_runtime' || f === 'runner_crashed' || f === 'install_failed'),
  apply: async (s) => {
    const tried = s.notes
      .filter((n) => n.startsWith('tried node '))
      .map((n) => n.slice('tried node '.length));
    // Three Nodes in all (each try is a full build): the planned one and the two nearest to it.
    if (tried.length >= 2) return undefined;
    const at = NODE_VERSIONS.indexOf(s.runtime.version as (typeof NODE_VERSIONS)[number]);
    const older = NODE_VERSIONS.slice(0, Math.max(at, 0)).reverse();
    const newer = at < 0 ? [...NODE_VERSIONS].reverse() : NODE_VERSIONS.slice(at + 1);
    const next = [...older, ...newer].find((v) => v !== s.runtime.version && !tried.includes(v));
    if (!next) return undefined;
    return {
      ...s,
      runtime: { ...s.runtime, version: next },
      notes: [...s.notes, `tried node ${s.runtime.version}`],
    };
  },
};

/** A dependency spec npm fetches with git (SSH or HTTPS to a git host), not from the registry. */
const GIT_SPEC =
  /^(git\+|git:|github:|gitlab:|bitbucket:|gist:)|^(https?:\/\/)?(www\.)?(github\.com|gitlab\.com|bitbucket\.org)\/|^[\w.-]+\/[\w.-]+(#.+)?$/;

/**
 * A devDependency fetched with git (`"time-require": "github:jonschlinkert/time-require"`) fails the whole
 * install where git hosts or SSH are unreachable, although such tools (benchmarks, docs) are rarely what the
 * tests import. Dropped from a lockfile-less npm install; the verification then shows whether the tests run
 * without them. Runtime dependencies are never dropped.
 */
export const dropGitDevDependencies: Rung = {
  name: 'drop-git-dev-dependencies',
  applies: (f, s) => f === 'needs_git_dependency' && gitDevDependencies(s).length > 0,
  apply: async (s) => {
    const dropped = gitDevDependencies(s);
    if (!dropped.length || s.install.strategy !== 'npm') return undefined;
    const pkg = JSON.parse(s.install.files['package.json']!) as { devDependencies: Record<string, string> };
    for (const [name] of dropped) delete pkg.devDependencies[name];
    const files = { ...s.install.files, 'package.json': `${JSON.stringify(pkg, null, 2)}\n` };
    const what = dropped.map(([n, v]) => `${n} (${v})`).join(', ');
    return {
      ...s,
      install: { ...s.install, files },
      notes: [...s.notes, `dropped git devDependencies ${what}: the tests must run without them`],
    };
  },
};

/** The git-fetched devDependencies of a lockfile-less npm install (with a lockfile, npm ci would refuse the change). */
function gitDevDependencies(s: EnvPlan): [string, string][] {
  if (s.install.strategy !== 'npm' || Object.keys(s.install.files).some((f) => f !== 'package.json'))
    return [];
  try {
    const pkg = JSON.parse(s.install.files['package.json'] ?? '{}') as {
      devDependencies?: Record<string, string>;
    };
    return Object.entries(pkg.devDependencies ?? {}).filter(([, v]) => GIT_SPEC.test(v.trim()));
  } catch {
    return [];
  }
}

const IN_BAND = new Set(['-i', '--runInBand', '--run-in-band', '--runInBand=true']);

/**
 * Jest in band runs every test file in the runner's own process, so one file that ends or crashes the
 * process takes the results of the files after it (and the summary) with it; with workers, that file fails
 * alone. The repo's own `--runInBand` is kept as planned (suites that share a port or a database need it)
 * and dropped only when the in-band run came back incomplete.
 */
export const jestWorkers: Rung = {
  name: 'jest-workers',
  applies: (f, s) =>
    (f === 'results_incomplete' || f === 'runner_crashed') &&
    s.testRunner === 'jest' &&
    s.testCmd.split(' ').some((t) => IN_BAND.has(t)),
  apply: async (s) => {
    const tokens = s.testCmd.split(' ').filter((t) => !IN_BAND.has(t));
    if (!tokens.some((t) => t.startsWith('--maxWorkers'))) {
      const at = tokens.findIndex((t) => t.startsWith('{tests'));
      tokens.splice(at < 0 ? tokens.length : at, 0, '--maxWorkers=2');
    }
    return {
      ...s,
      testCmd: tokens.join(' '),
      notes: [...s.notes, 'ran jest with workers: in band, the run stopped before its summary'],
    };
  },
};

/** The ladder RepoForge climbs by default, in order. An agent rung can be appended (off by default). */
export const DEFAULT_RUNGS: readonly Rung[] = [
  pythonAlias,
  updateLockfile,
  runInstallScripts,
  legacyPeerDeps,
  dropGitDevDependencies,
  dropUnknownFlag,
  jestWorkers,
  otherNodeVersion,
];

type Failure = { class: FailureClass; detail: string; log: string };
type Verify = (spec: EnvPlan, built: BuiltEnv, signal?: AbortSignal) => Promise<VerifyResult>;

/** A verification run's failure, if it is one: no tests, or results from a run that stopped early. */
function verificationFailure(verified: VerifyResult, logParser: string): Failure | undefined {
  if (verified.tests === 0) return { ...classifyFailure(verified.log, 'test'), log: verified.log };
  if (!runCutShort(verified.log, logParser)) return undefined;
  const detail = `${verified.tests} tests reported, then the run stopped before its summary: ${lastLines(verified.log)}`;
  return { class: 'results_incomplete', detail, log: verified.log };
}

/** One build and verification of `spec`: the built environment, or the classified failure. */
async function attemptEnv(
  spec: EnvPlan,
  options: { provider: EnvProvider; verify?: Verify; signal?: AbortSignal },
): Promise<{ built: BuiltEnv; detail: string; networkTests?: string[] } | { failure: Failure }> {
  try {
    const built = await options.provider.ensure(spec, { signal: options.signal });
    if (!options.verify) return { built, detail: 'built' };
    const verified = await options.verify(spec, built, options.signal);
    const failure = verificationFailure(verified, spec.logParser);
    if (failure) return { failure };
    const network = verified.statusMap ? testsNeedingNetwork(verified.log, verified.statusMap) : [];
    if (!network.length) return { built, detail: `${verified.tests} tests ran` };
    const detail = `${verified.tests} tests ran; ${network.length} need the internet (excluded from grading)`;
    return { built, detail, networkTests: network };
  } catch (error) {
    options.signal?.throwIfAborted();
    // The engine going away says nothing of the environment: no rung for it, and no failure to record.
    if (isEngineFault(error)) throw error;
    const log = String((error as { log?: string }).log ?? '') + String((error as Error).message ?? error);
    return { failure: { ...classifyFailure(log, 'install'), log } };
  }
}

/** The accepted spec, with the tests its verification found needing the internet (kept, then excluded). */
function withNetworkTests(spec: EnvPlan, networkTests: string[] | undefined): EnvPlan {
  if (!networkTests?.length) return spec;
  const note = `${networkTests.length} tests need the internet (network is none at test time): excluded from grading`;
  return { ...spec, networkTests, notes: [...spec.notes, note] };
}

/** The first rung that answers this failure with a spec that differs from the one that failed. */
async function nextRung(
  rungs: readonly Rung[],
  spec: EnvPlan,
  failure: Failure,
  signal?: AbortSignal,
): Promise<{ rung: string; spec: EnvPlan } | undefined> {
  const key = (s: EnvPlan) => envPlanHash(s) + s.testCmd;
  for (const r of rungs) {
    signal?.throwIfAborted();
    if (!r.applies(failure.class, spec)) continue;
    const next = await r.apply(spec, failure, { signal });
    if (next && key(next) !== key(spec)) return { rung: r.name, spec: next };
  }
  return undefined;
}

/**
 * Builds an environment and accepts it only when its test command really runs tests (`verify` sees parsed
 * results, and the runner's end-of-run summary where it prints one); otherwise classifies the failure and
 * climbs the ladder, recording every attempt. Throws a DepsError whose `attempts` say what was tried when
 * no rung helps, and an engine fault (`isEngineFault`) as it came: that is no verdict on the environment.
 */
export async function obtainEnv(
  plan: EnvPlan,
  options: {
    provider: EnvProvider;
    verify?: Verify;
    rungs?: readonly Rung[];
    maxAttempts?: number;
    signal?: AbortSignal;
  },
): Promise<ObtainedEnv> {
  const attempts: EnvAttempt[] = [];
  let step: { rung: string; spec: EnvPlan } | undefined = { rung: 'as planned', spec: plan };
  for (let i = 0; step && i < (options.maxAttempts ?? 6); i++) {
    options.signal?.throwIfAborted();
    const { rung, spec } = step;
    const started = performance.now();
    const got = await attemptEnv(spec, options);
    const outcome = 'built' in got ? 'ok' : got.failure.class;
    const detail = 'built' in got ? got.detail : got.failure.detail;
    const ms = Math.round(performance.now() - started);
    attempts.push({ rung, specHash: envPlanHash(spec), outcome, detail, ms });
    if ('built' in got) return { spec: withNetworkTests(spec, got.networkTests), built: got.built, attempts };
    step = await nextRung(options.rungs ?? DEFAULT_RUNGS, spec, got.failure, options.signal);
  }
  const last = attempts[attempts.length - 1]!;
  throw Object.assign(
    new DepsError('ENV_BUILD_FAILED', `no environment whose tests run (${last.outcome}: ${last.detail})`),
    { attempts },
  );
}
