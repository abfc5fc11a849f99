import { shellQuote } from '@repoforge/schema';
import { DepsError } from '../errors.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { EnvPlan } from '../spec.js';
import { filesKarmaDoesNotServe, karmaSetup } from './karma.js';
import { planNodeInstall } from './node-install.js';
import {
  buildStepsBeforeTests,
  envOfScriptRunning,
  JEST_JSON,
  JEST_STATUS_LINES,
  scriptRunning,
  testCommandFromScript,
} from './node-script.js';
import { nodeVersionFor } from './node-version.js';

export { DEFAULT_NODE_VERSION, NODE_VERSIONS, pickNodeVersion } from './node-version.js';

interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: { node?: string };
  packageManager?: string;
  volta?: { node?: string };
  workspaces?: unknown;
  overrides?: unknown;
  resolutions?: unknown;
  pnpm?: Record<string, unknown>;
}

/** Each runner takes test files as arguments: `{tests}` becomes the instance's test files (none: the whole suite). */
const RUNNERS: { name: string; pkg: string; cmd: string; parser: string; junit?: string }[] = [
  {
    name: 'vitest',
    pkg: 'vitest',
    cmd: 'npx vitest run --reporter=verbose --reporter=junit --outputFile.junit=/tmp/repoforge-junit.xml {tests}',
    parser: 'parse_log_vitest',
    junit: '/tmp/repoforge-junit.xml',
  },
  {
    name: 'jest',
    pkg: 'jest',
    cmd: `npx jest --verbose --ci --maxWorkers=2 --json --outputFile=${JEST_JSON} {tests}; ${JEST_STATUS_LINES}`,
    parser: 'parse_log_jest',
  },
  // Before mocha: a repo with karma runs its tests in a browser (mocha is there for karma-mocha).
  {
    name: 'karma',
    pkg: 'karma',
    cmd: 'npx karma start {config} --single-run --browsers ChromeHeadless --reporters mocha',
    parser: 'parse_log_karma',
  },
  {
    name: 'mocha',
    pkg: 'mocha',
    cmd: 'npx mocha --no-color --reporter spec --exit {tests}',
    parser: 'parse_log_mocha',
  },
  { name: 'ava', pkg: 'ava', cmd: 'npx ava --tap {tests}', parser: 'parse_log_node_tap' },
  { name: 'tap', pkg: 'tap', cmd: 'npx tap --reporter=tap {tests}', parser: 'parse_log_node_tap' },
];

type Runner = (typeof RUNNERS)[number];

/**
 * The runner and its command: the one `scripts.test` names (following `npm run` chains to the script that
 * runs it), else the first the repo depends on. Given the instance's test files, a karma suite that does not
 * serve them yields to the repo's other runner (a node suite beside a browser one), and mocha's default runs
 * the directory those files are in, recursively (mocha alone reads only ./test).
 */
function chooseRunner(
  snapshot: RepoSnapshot,
  pkg: PackageJson,
  all: Record<string, string>,
  testFiles: readonly string[] | undefined,
): { runner?: Runner; testCmd?: string; notes: string[]; only?: string[] } {
  const notes: string[] = [];
  const testScript = pkg.scripts?.test ?? '';
  const present = RUNNERS.filter((r) => r.pkg in all);
  let runner = present.find((r) => new RegExp(`\\b${r.name}\\b`).test(testScript)) ?? present[0];
  // Karma runs only the files its config serves; a node runner at least tries every file. So one file outside
  // karma's patterns (axios-6539: a mocha regression test beside a karma spec) sends them all to the other runner.
  const unserved =
    runner?.name === 'karma' && testFiles?.length ? filesKarmaDoesNotServe(snapshot, testFiles) : [];
  const other = present.find((r) => r.name !== 'karma');
  if (unserved.length && other) {
    notes.push(
      `karma's config does not serve ${unserved.join(', ')}: ${other.name} runs the instance's tests`,
    );
    runner = other;
  }
  if (!runner) return { notes };
  // Of a test patch across both suites, karma's specs stay out: a node runner that loads one fails whole.
  const only = unserved.length && unserved.length < (testFiles?.length ?? 0) ? unserved : undefined;
  if (only) notes.push(`karma's specs are left out of the ${runner.name} run: ${only.join(', ')} run`);
  return { ...commandOf(pkg, runner, unserved.length ? unserved : testFiles, notes), ...(only && { only }) };
}

/** The command of the chosen runner, from the repo's script that runs it, else generic (mocha: the suite's dirs). */
function commandOf(
  pkg: PackageJson,
  runner: Runner,
  suiteFiles: readonly string[] | undefined,
  notes: string[],
): { runner: Runner; testCmd: string; notes: string[] } {
  const own = scriptRunning(pkg.scripts ?? {}, runner.name);
  const fromScript =
    own && (runner.name === 'mocha' || runner.name === 'jest' || runner.name === 'vitest')
      ? testCommandFromScript(own, runner.name)
      : undefined;
  if (fromScript) {
    notes.push(`test command from the repo's scripts: ${own}`);
    return { runner, testCmd: fromScript, notes };
  }
  // The suite a whole-suite run covers: the other runner's files only, when karma has the rest.
  const suites = runner.name === 'mocha' && suiteFiles?.length ? suiteDirs(suiteFiles) : [];
  if (suites.length) {
    notes.push(`mocha runs ${suites.join(' ')} recursively (the instance's test files are there)`);
    return {
      runner,
      testCmd: runner.cmd.replace('{tests}', `--recursive {tests:${suites.join(' ')}}`),
      notes,
    };
  }
  return { runner, testCmd: runner.cmd, notes };
}

/** The suite directories of test files: `test/unit` for `test/unit/adapters/http.js`, else their folder. */
function suiteDirs(files: readonly string[]): string[] {
  const dirs = files.map((f) => f.split('/').slice(0, -1)).filter((d) => d.length);
  return [...new Set(dirs.map((d) => d.slice(0, 2).join('/')))];
}

/**
 * The root manifest's settings that change what an install resolves (workspaces, overrides, resolutions, pnpm's
 * own), kept because lockfiles record them: a frozen install of a lockfile written with them fails without them.
 * pnpm's patchedDependencies are left out: their patch files are not part of the install.
 */
function resolutionSettings(pkg: PackageJson): Record<string, unknown> {
  const { patchedDependencies: _, ...pnpm } = pkg.pnpm ?? {};
  const settings = {
    workspaces: pkg.workspaces,
    overrides: pkg.overrides,
    resolutions: pkg.resolutions,
    pnpm: Object.keys(pnpm).length ? pnpm : undefined,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/**
 * The installed workspace packages hold only their manifests (and their own node_modules where the package
 * manager nests them); the links it made to them (`node_modules/@vue/shared -> ../../packages/shared`) must reach
 * the repo's code. So each nested node_modules moves into the checkout (its relative links still reach the linked
 * root node_modules) and each installed package becomes a link to the checkout's directory. Only where the
 * install is writable (images; a local environment is shared and read-only, and keeps the hoisted root only).
 */
function linkWorkspacePackages(dirs: readonly string[]): string[] {
  if (!dirs.length) return [];
  const link = [
    '[ -d "$d" ] || continue',
    '[ -d "/opt/deps/$d/node_modules" ] && [ ! -e "$d/node_modules" ] && mv "/opt/deps/$d/node_modules" "$d/"',
    'rm -rf "/opt/deps/$d" && ln -sfn "$PWD/$d" "/opt/deps/$d"',
  ].join('; ');
  return [`if [ -w /opt/deps ]; then for d in ${dirs.join(' ')}; do ${link}; done; fi`];
}

/** Plans the environment of a Node repo: package manager from the lockfile, Node from engines, the test runner. */
export function planNode(snapshot: RepoSnapshot, options: { testFiles?: readonly string[] } = {}): EnvPlan {
  const text = snapshot.files.get('package.json');
  if (!text) throw new DepsError('NO_ECOSYSTEM', 'no package.json');
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new DepsError('MANIFEST_INVALID', `package.json: ${(error as Error).message}`, { cause: error });
  }
  const node = nodeVersionFor(snapshot, pkg);
  // The install sees a package.json reduced to what decides dependencies: scripts or version bumps do not
  // change the environment (and do not run: installs use --ignore-scripts).
  const install = planNodeInstall(snapshot, pkg, {
    dependencies: pkg.dependencies ?? {},
    devDependencies: pkg.devDependencies ?? {},
    optionalDependencies: pkg.optionalDependencies ?? {},
    engines: pkg.engines ?? {},
    packageManager: pkg.packageManager ?? '',
    ...resolutionSettings(pkg),
  });
  const notes = [`node ${node.version} from ${node.from}`, ...install.notes];
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  const chosen = chooseRunner(snapshot, pkg, all, options.testFiles);
  notes.push(...chosen.notes);
  let { runner, testCmd } = chosen;
  // The plan is made for these test files: the node runner's own are written in (no placeholder left).
  if (chosen.only && testCmd)
    testCmd = testCmd.replace(/\{tests(?::[^}]*)?\}/, chosen.only.map(shellQuote).join(' '));
  let parser = runner?.parser;
  const testScript = pkg.scripts?.test ?? '';
  if (!runner && /node\s+--test\b/.test(testScript)) {
    runner = {
      name: 'node:test',
      pkg: '',
      cmd: 'node --test --test-reporter=tap {tests}',
      parser: 'parse_log_node_tap',
    };
    testCmd = runner.cmd;
    parser = runner.parser;
  }
  const browser =
    runner?.name === 'karma'
      ? karmaSetup(
          snapshot,
          all,
          runner.cmd,
          options.testFiles,
          envOfScriptRunning(pkg.scripts ?? {}, 'karma'),
        )
      : undefined;
  if (browser) {
    testCmd = browser.testCmd;
    notes.push(...browser.notes);
  }
  // Without a known runner the command is `npm test` itself, which builds on its own.
  const builds = runner ? buildStepsBeforeTests(pkg.scripts ?? {}) : [];
  if (builds.length) notes.push(`built before the tests, as the repo's npm test does: ${builds.join('; ')}`);
  if (!runner) {
    notes.push(
      `no known test runner (scripts.test: ${JSON.stringify(testScript)}); running npm test with the TAP parser`,
    );
    testCmd = 'npm test';
    parser = 'parse_log_node_tap';
  }
  return {
    ecosystem: 'node',
    runtime: { name: 'node', version: node.version },
    systemPackages: ['git', 'patch', 'ca-certificates', ...(browser?.systemPackages ?? [])],
    install: {
      strategy: install.strategy,
      files: install.files,
      command: install.command,
      ...(install.native.length ? { native: install.native } : {}),
    },
    // No colours (parsers read plain lines) and CI mode (no watchers, no prompts).
    // The prebuilt node_modules is linked in. Where it is read-only (local-backend environments), node_modules
    // is a real directory of links instead, so tools that write caches into it (vitest's .vite) still can.
    preTest: [
      'if [ -w /opt/deps/node_modules ]; then ln -sfn /opt/deps/node_modules node_modules; else mkdir -p node_modules && for e in /opt/deps/node_modules/* /opt/deps/node_modules/.[!.]*; do [ -e "$e" ] && ln -sfn "$e" node_modules/; done; fi',
      'export PATH="$PWD/node_modules/.bin:$PATH" NO_COLOR=1 FORCE_COLOR=0 CI=1',
      ...linkWorkspacePackages(install.workspaces),
      ...(browser?.preTest ?? []),
      ...builds,
      // A results file left by an earlier run must not stand in for this one's.
      ...(runner?.name === 'jest' ? [`rm -f ${JEST_JSON}`] : []),
    ],
    testCmd: testCmd!,
    logParser: parser!,
    junitXml: runner?.junit,
    testRunner: runner?.name ?? 'npm test',
    notes,
  };
}
