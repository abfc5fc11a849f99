import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  detectEcosystem,
  envPlanHash,
  pickNodeVersion,
  planEnv,
  type RepoSnapshot,
  snapshotFromFiles,
  snapshotFromGit,
  withPatchedDependencies,
} from './index.js';
import { parseIni } from './manifests/ini.js';
import { parseRequirementsTxt } from './manifests/requirements.js';
import { readSetupPy } from './manifests/setup-py.js';
import { nativeDependencies } from './plan/native.js';
import {
  buildStepsBeforeTests,
  JEST_JSON,
  JEST_STATUS_LINES,
  scriptRunning,
  testCommandFromScript,
} from './plan/node-script.js';
import { pnpmWorkspaceGlobs } from './plan/workspaces.js';

/** What every planned jest command ends with: its JSON results, then a status line per test from them. */
const JEST_TAIL = (tests: string) => `--json --outputFile=${JEST_JSON} ${tests}; ${JEST_STATUS_LINES}`;

const DATA = join(import.meta.dirname, '..', 'test-data');
const LOCKS = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'uv.lock'];

/** Real manifests of public repos (copied as data), with their commit's file list. */
function realSnapshot(name: string): RepoSnapshot {
  const dir = join(DATA, name);
  const paths = readFileSync(join(dir, 'PATHS'), 'utf8').split('\n').filter(Boolean);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f !== 'PATHS') files[f] = readFileSync(join(dir, f), 'utf8');
  for (const lock of LOCKS) if (paths.includes(lock)) files[lock] = `# ${lock} of ${name}\n`;
  return snapshotFromFiles(files, paths);
}

describe('planning on real manifests', () => {
  it('unjs/ufo (pnpm + vitest), now and in 2022', async () => {
    for (const rev of ['ufo@11308c0', 'ufo@0ac3503']) {
      const spec = await planEnv(realSnapshot(rev));
      expect(spec).toMatchObject({
        ecosystem: 'node',
        testRunner: 'vitest',
        logParser: 'parse_log_vitest',
        junitXml: '/tmp/repoforge-junit.xml',
      });
      expect(spec.install).toMatchObject({ strategy: 'pnpm' });
      expect(spec.testCmd).toMatch(/^vitest run (--typecheck )?--reporter=verbose .*{tests}$/);
    }
  });

  it('npm/node-semver (tap; npm lockfile in 2019)', async () => {
    const now = await planEnv(realSnapshot('node-semver@6e05b76'));
    expect(now).toMatchObject({ testRunner: 'tap', logParser: 'parse_log_node_tap' });
    expect(now.install).toMatchObject({ strategy: 'npm', command: expect.stringContaining('npm install') });
    const old = await planEnv(realSnapshot('node-semver@0e3bced'));
    expect(old.install).toMatchObject({ strategy: 'npm', command: expect.stringContaining('npm ci') });
    expect(envPlanHash(old)).not.toBe(envPlanHash(now));
  });

  it('andialbrecht/sqlparse: pyproject dependency groups now, setup.py + setup.cfg in 2020', async () => {
    const now = await planEnv(realSnapshot('sqlparse@60cdc64'));
    expect(now).toMatchObject({ ecosystem: 'python', testRunner: 'pytest', logParser: 'parse_log_pytest' });
    expect(now.install).toMatchObject({
      strategy: 'apt',
      packages: expect.arrayContaining(['python3-pytest', 'python3-coverage']),
    });
    expect((now.install as { packages: string[] }).packages).not.toContain('python3-ruff');
    const old = await planEnv(realSnapshot('sqlparse@12525f5'));
    expect(old).toMatchObject({ testRunner: 'pytest' }); // [tool:pytest] in setup.cfg
    expect(old.install).toMatchObject({ strategy: 'apt', packages: ['python3-pytest'] });
  });
});

describe('planning rules', () => {
  const node = (pkg: object, extra: Record<string, string> = {}) =>
    snapshotFromFiles({ 'package.json': JSON.stringify(pkg), ...extra });

  it('picks the runner from devDependencies and scripts.test', async () => {
    expect(
      (await planEnv(node({ devDependencies: { jest: '29' }, scripts: { test: 'jest' } }))).logParser,
    ).toBe('parse_log_jest');
    expect((await planEnv(node({ devDependencies: { mocha: '10' } }))).logParser).toBe('parse_log_mocha');
    expect((await planEnv(node({ devDependencies: { ava: '6' } }))).testCmd).toBe('npx ava --tap {tests}');
    expect((await planEnv(node({ scripts: { test: 'node --test' } }))).testRunner).toBe('node:test');
    const none = await planEnv(node({ scripts: { test: 'make check' } }));
    expect(none.testCmd).toBe('npm test');
    expect(none.notes.join('\n')).toMatch(/no known test runner/);
  });

  it('picks Node from engines / .nvmrc', () => {
    expect(pickNodeVersion('>=18 <21')).toBe('20.19.0');
    expect(pickNodeVersion('^18.17.0')).toBe('18.20.8');
    expect(pickNodeVersion('22')).toBe('22.12.0');
    expect(pickNodeVersion('v18.19.1\n')).toBe('18.20.8');
    expect(pickNodeVersion('lts/gallium')).toBe('16.20.2');
    expect(pickNodeVersion('12')).toBe('14.21.3'); // the nearest major there is
    expect(pickNodeVersion(undefined)).toBe('20.19.0');
  });

  it("Node: the repo's pins (Volta, .nvmrc, .node-version) before engines, then the LTS of the commit's date", async () => {
    const version = async (pkg: object, extra: Record<string, string> = {}, committedAt?: string) => {
      const spec = await planEnv({ ...node(pkg, extra), committedAt });
      return [spec.runtime.version, spec.notes[0]];
    };
    const engines = { engines: { node: '>=18.12.0' } };
    expect(await version(engines)).toEqual(['22.12.0', 'node 22.12.0 from engines.node >=18.12.0']);
    expect(await version(engines, { '.node-version': '20\n' })).toEqual([
      '20.19.0',
      'node 20.19.0 from .node-version 20',
    ]);
    expect(await version(engines, { '.nvmrc': '16', '.node-version': '20' })).toEqual([
      '16.20.2',
      'node 16.20.2 from .nvmrc 16',
    ]);
    expect((await version({ ...engines, volta: { node: '18.19.0' } }, { '.nvmrc': '16' }))[0]).toBe(
      '18.20.8',
    );
    // Nothing said: the LTS line of the commit's day (preact in 2020 ran Node 14, axios in 2023 Node 18).
    expect(await version({}, {}, '2020-09-19T10:00:00Z')).toEqual([
      '14.21.3',
      "node 14.21.3 from the LTS of the commit's date (2020-09-19)",
    ]);
    expect((await version({}, {}, '2022-05-19T00:00:00Z'))[0]).toBe('16.20.2');
    expect((await version({}, {}, '2023-09-12T00:00:00Z'))[0]).toBe('18.20.8');
    expect((await version({}, {}, '2026-01-01T00:00:00Z'))[0]).toBe('22.12.0');
    expect((await version({}))[0]).toBe('20.19.0');
  });

  it('pnpm and yarn: the version packageManager pins, else the one the lockfile format says; yarn berry', async () => {
    const install = async (pkg: object, files: Record<string, string>) =>
      (await planEnv(node(pkg, files))).install as {
        strategy: string;
        command: string;
        files: Record<string, string>;
      };
    const pnpm9 = "lockfileVersion: '9.0'\n";
    expect(
      (await install({ packageManager: 'pnpm@9.7.0+sha512.dc09430' }, { 'pnpm-lock.yaml': pnpm9 })).command,
    ).toBe('npx --yes pnpm@9.7.0 install --frozen-lockfile --ignore-scripts --shamefully-hoist');
    const byLock = async (v: string) =>
      (await install({}, { 'pnpm-lock.yaml': `lockfileVersion: ${v}\n` })).command.split(' ')[2];
    expect([await byLock("'9.0'"), await byLock("'6.0'"), await byLock('5.4'), await byLock('5.3')]).toEqual([
      'pnpm@9',
      'pnpm@8',
      'pnpm@7',
      'pnpm@6',
    ]);
    expect(
      (await install({ packageManager: 'yarn@1.22.19' }, { 'yarn.lock': '# yarn lockfile v1\n' })).command,
    ).toMatch(/^npx --yes yarn@1\.22\.19 install --frozen-lockfile/);
    const berryLock =
      '__metadata:\n  version: 6\n  cacheKey: 8\n\n"my-app@workspace:.":\n  version: 0.0.0-use.local\n';
    const berry = await install(
      { name: 'my-app', packageManager: 'yarn@3.6.4' },
      { 'yarn.lock': berryLock, '.yarnrc.yml': 'nodeLinker: pnp\nyarnPath: .yarn/releases/yarn-3.6.1.cjs\n' },
    );
    expect(berry.strategy).toBe('yarn');
    expect(berry.command).toMatch(
      /YARN_NODE_LINKER=node-modules .*npx --yes -p @yarnpkg\/cli-dist@3\.6\.4 yarn install --mode=skip-build$/,
    );
    expect(berry.command).toContain('YARN_NPM_REGISTRY_SERVER=https://registry.npmjs.org');
    // The lockfile names the root workspace: the install's package.json keeps the repo's name.
    expect(JSON.parse(berry.files['package.json']!).name).toBe('my-app');
    // No packageManager: the release .yarnrc.yml points at.
    const fromRc = await install(
      { name: 'my-app' },
      { 'yarn.lock': berryLock, '.yarnrc.yml': 'yarnPath: .yarn/releases/yarn-3.6.1.cjs\n' },
    );
    expect(fromRc.command).toContain('@yarnpkg/cli-dist@3.6.1 ');
    // The repo's own registry settings travel with the install (and win); yarnPath and plugins do not.
    const ownRegistry = await install(
      { name: 'my-app' },
      {
        'yarn.lock': berryLock,
        '.yarnrc.yml':
          'yarnPath: .yarn/releases/yarn-3.6.1.cjs\nnpmRegistryServer: "https://npm.example.org"\nplugins:\n  - path: .yarn/plugins/x.cjs\n',
      },
    );
    expect(ownRegistry.files['.yarnrc.yml']).toBe('npmRegistryServer: "https://npm.example.org"\n');
    expect(ownRegistry.command).not.toContain('YARN_NPM_REGISTRY_SERVER');
  });

  it('karma runs in headless Chromium: Debian chromium in the image, a no-sandbox wrapper on CHROME_BIN, the mocha reporter', async () => {
    const pkg = {
      devDependencies: {
        karma: '5',
        'karma-mocha': '2',
        mocha: '8',
        'karma-mocha-reporter': '2',
        'karma-chrome-launcher': '3',
      },
      scripts: { test: 'npm-run-all build test:unit' },
    };
    const spec = await planEnv(
      snapshotFromFiles({ 'package.json': JSON.stringify(pkg) }, ['karma.conf.js', 'test/browser/a.test.js']),
    );
    expect(spec).toMatchObject({ testRunner: 'karma', logParser: 'parse_log_karma' });
    expect(spec.testCmd).toBe(
      'npx karma start karma.conf.js --single-run --browsers ChromeHeadless --reporters mocha',
    );
    expect(spec.systemPackages).toContain('chromium');
    expect(spec.preTest.join('\n')).toMatch(
      /exec \/usr\/bin\/chromium --no-sandbox .*--disable-background-networking/,
    );
    expect(spec.preTest.at(-1)).toBe('export CHROME_BIN=/tmp/chromium-headless');
    // Without the reporter the parser reads, the plan says so rather than pretending.
    const bare = await planEnv(node({ devDependencies: { karma: '5' } }));
    expect(bare.testCmd).toBe('npx karma start --single-run');
    expect(bare.notes.join('\n')).toMatch(/no karma-mocha-reporter/);
  });

  it('the hash ignores source, tests, scripts and version, and follows dependencies and the lockfile', async () => {
    const base = {
      name: 'x',
      version: '1.0.0',
      scripts: { test: 'mocha' },
      devDependencies: { mocha: '10.8.2' },
    };
    const a = await planEnv(node(base, { 'package-lock.json': 'lock-1' }));
    const b = await planEnv(
      snapshotFromFiles(
        {
          'package.json': JSON.stringify({ ...base, version: '1.0.1', scripts: { test: 'mocha -b' } }),
          'package-lock.json': 'lock-1',
        },
        ['src/new.js', 'test/new.test.js'],
      ),
    );
    expect(envPlanHash(b)).toBe(envPlanHash(a));
    const c = await planEnv(
      node({ ...base, dependencies: { 'is-number': '7.0.0' } }, { 'package-lock.json': 'lock-1' }),
    );
    const d = await planEnv(node(base, { 'package-lock.json': 'lock-2' }));
    expect(envPlanHash(c)).not.toBe(envPlanHash(a));
    expect(envPlanHash(d)).not.toBe(envPlanHash(a));
  });

  it('Python: requirements files with includes, Django-style runners, unittest fallback, pip strategy', async () => {
    const reqs = snapshotFromFiles({
      'requirements.txt': 'requests>=2\n-r requirements-test.txt\n-e .\n',
      'requirements-test.txt': 'pytest\nPyYAML==6.0 ; python_version>"3"\n',
    });
    const spec = await planEnv(reqs);
    expect(spec.install).toEqual({
      strategy: 'apt',
      packages: ['python3-pytest', 'python3-requests', 'python3-yaml'],
      unmapped: [],
    });
    const dj = await planEnv(
      snapshotFromFiles({ 'manage.py': '', 'requirements.txt': 'Django>=4' }, ['app/tests.py']),
    );
    expect(dj).toMatchObject({ testRunner: 'django', logParser: 'parse_log_django' });
    const ut = await planEnv(snapshotFromFiles({ 'setup.cfg': '[metadata]\nname = x\n' }, ['x/__init__.py']));
    expect(ut).toMatchObject({ testRunner: 'unittest', testCmd: 'python3 -m unittest discover -v' });
    const pip = await planEnv(reqs, { pythonInstall: 'pip', pipIndexUrl: 'https://pypi.example/simple' });
    expect(pip.install).toEqual({
      strategy: 'pip',
      requirements: ['pytest', 'pyyaml', 'requests'],
      indexUrl: 'https://pypi.example/simple',
    });
  });

  it('refuses what it cannot plan, saying why', async () => {
    await expect(planEnv(snapshotFromFiles({ 'go.mod': 'module x' }))).rejects.toMatchObject({
      code: 'NO_ECOSYSTEM',
    });
    await expect(planEnv(snapshotFromFiles({ 'package.json': '{oops' }))).rejects.toMatchObject({
      code: 'MANIFEST_INVALID',
      message: expect.stringMatching(/^package.json:/),
    });
  });
});

describe('native dependencies', () => {
  it('reads npm v2/v3 hasInstallScript (nested too) and pnpm requiresBuild; yarn and npm v1 say nothing', () => {
    const npm = JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'x', hasInstallScript: true },
        'node_modules/bcrypt': { version: '5.1.0', hasInstallScript: true },
        'node_modules/a/node_modules/@scope/addon': { version: '1.0.0', hasInstallScript: true },
        'node_modules/lodash': { version: '4.17.21' },
      },
    });
    expect(nativeDependencies('package-lock.json', npm)).toEqual(['@scope/addon', 'bcrypt']);
    const pnpm = [
      'lockfileVersion: 5.4',
      'packages:',
      '  /esbuild/0.15.0:',
      '    resolution: {integrity: sha512-x}',
      '    requiresBuild: true',
      '  /left-pad/1.3.0:',
      '    resolution: {integrity: sha512-y}',
      '  /@swc/core@1.3.0:',
      '    requiresBuild: true',
      '',
    ].join('\n');
    expect(nativeDependencies('pnpm-lock.yaml', pnpm)).toEqual(['@swc/core', 'esbuild']);
    expect(nativeDependencies('yarn.lock', 'bcrypt@^5:\n  version "5.1.0"\n')).toEqual([]);
    expect(nativeDependencies('package-lock.json', '{"lockfileVersion": 1, "dependencies": {}}')).toEqual([]);
    expect(nativeDependencies('package-lock.json', 'not json')).toEqual([]);
  });

  it('plans install scripts for those packages only, after an install that runs none', async () => {
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/bcrypt': { hasInstallScript: true } },
    });
    const spec = await planEnv(
      snapshotFromFiles({
        'package.json': JSON.stringify({ dependencies: { bcrypt: '^5' }, devDependencies: { mocha: '^10' } }),
        'package-lock.json': lock,
      }),
    );
    expect(spec.install).toMatchObject({
      strategy: 'npm',
      native: ['bcrypt'],
      command: 'npm ci --no-audit --no-fund --ignore-scripts && npm rebuild bcrypt',
    });
    expect(spec.notes).toContain('native builds (install scripts run for these only): bcrypt');
  });
});

describe('manifest readers', () => {
  it('reads setup.py with tree-sitter without running it', async () => {
    const src = `
import os
REQS = ["requests>=2", 'six']
TESTS = ['pytest'] + ['mock']
setup(
    name="x",
    install_requires=REQS,
    tests_require=TESTS,
    extras_require={"test": ["pytest-cov"], "docs": ["sphinx"]},
    python_requires=">=3.8",
    packages=find_packages(),
    long_description=open("README").read(),
)
os.system("rm -rf /")  # never executed
`;
    const info = await readSetupPy(src);
    expect(info.installRequires).toEqual(['requests>=2', 'six']);
    expect(info.testsRequire).toEqual(['pytest', 'mock']);
    expect(info.extrasRequire).toEqual({ test: ['pytest-cov'], docs: ['sphinx'] });
    expect(info.pythonRequires).toBe('>=3.8');
    const dyn = await readSetupPy(
      'from setuptools import setup\nsetup(install_requires=open("r.txt").read().split())\n',
    );
    expect(dyn.dynamic).toEqual(['install_requires']);
    // sympy's setup.py formats its requirement at run time: the package name is still known.
    const fmt = await readSetupPy(
      "min_mpmath_version = '0.19'\nsetup(install_requires=['mpmath>=%s' % min_mpmath_version, 'x>={}'.format(v), f'y=={v}'])\n",
    );
    expect(fmt.installRequires).toEqual(['mpmath', 'x', 'y']);
  });

  it('reads INI continuation lines and requirements', () => {
    const ini = parseIni(
      '[options]\ninstall_requires =\n    a>=1\n    b  # comment\n[tool:pytest]\naddopts = -q\n',
    );
    expect(ini.get('options')?.get('install_requires')).toBe('\na>=1\nb  # comment');
    const r = parseRequirementsTxt(
      'Foo_Bar[x,y]>=1.0,<2 ; python_version<"3.12"\ngit+https://x/y.git\n--index-url http://z\n',
    );
    expect(r.requirements.map((q) => [q.name, q.extras, q.specifier])).toEqual([
      ['foo-bar', ['x', 'y'], '>=1.0,<2'],
    ]);
  });
});

describe('ecosystem by where the tests are', () => {
  it('a repo with both manifests is planned by the side that holds its tests', () => {
    const both = (paths: string[]) =>
      detectEcosystem(snapshotFromFiles({ 'package.json': '{}', 'setup.py': '' }, paths));
    expect(both(['tests/a/test_x.py', 'tests/b/tests.py', 'js_tests/admin/x.test.js'])).toBe('python');
    expect(both(['src/a.test.ts', 'src/b.spec.ts', 'scripts/gen_test.py'])).toBe('node');
    expect(detectEcosystem(snapshotFromFiles({ 'package.json': '{}' }, ['tests/test_x.py']))).toBe('node');
  });
});

const fixtures = sharedFixturesDir();
describe.skipIf(!fixtures && skipLoudly('shared fixtures absent: planning real django is SKIPPED'))(
  'planning a real django commit (../shared/fixtures/repos)',
  () => {
    it("is Python, with django's own runner, although django ships a package.json", async () => {
      const gitdir = sharedFixture('repos', 'django__django.git');
      const instances = readFileSync(
        sharedFixture('instances', 'swebench_verified_real_subset.jsonl'),
        'utf8',
      );
      const oid = JSON.parse(instances.split('\n')[0]!).base_commit as string;
      const snapshot = await snapshotFromGit({ gitdir, oid, cache: {} });
      expect(snapshot.files.has('package.json')).toBe(true);
      const spec = await planEnv(snapshot);
      expect(spec).toMatchObject({ ecosystem: 'python', testRunner: 'django' });
    });

    it('plans axios-5316 with the devDependency its fix declares (its new tests import it)', async () => {
      const gitdir = sharedFixture('repos', 'axios__axios.git');
      const row = readFileSync(sharedFixture('instances', 'swebench_multilingual_js_ts.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { instance_id: string; base_commit: string; patch: string })
        .find((r) => r.instance_id === 'axios__axios-5316')!;
      const base = await snapshotFromGit({ gitdir, oid: row.base_commit, cache: {} });
      const { snapshot, changed } = withPatchedDependencies(base, row.patch);
      expect(changed).toEqual(['package.json']);
      const devDeps = (s: typeof base) => JSON.parse(s.files.get('package.json')!).devDependencies;
      expect(devDeps(base)['formdata-node']).toBeUndefined();
      expect(devDeps(snapshot)['formdata-node']).toBe('^5.0.0');
      // The fix's source files are not dependency files: planning reads nothing else of the patch.
      expect(snapshot.files.get('lib/adapters/http.js')).toBeUndefined();
      const install = (await planEnv(snapshot)).install as { files: Record<string, string> };
      expect(JSON.parse(install.files['package.json']!).devDependencies['formdata-node']).toBe('^5.0.0');
    });

    it("installs vuejs/core's workspace packages (pnpm-workspace.yaml, catalog) with the root", async () => {
      const gitdir = sharedFixture('repos', 'vuejs__core.git');
      // vuejs__core-11899's base: compiler-sfc's tests need its own devDependency postcss-selector-parser.
      const snapshot = await snapshotFromGit({
        gitdir,
        oid: '706d4ac1d0210b2d9134b3228280187fe02fc971',
        cache: {},
      });
      const install = (await planEnv(snapshot)).install as { files: Record<string, string>; command: string };
      expect(install.command).toMatch(/pnpm@9\.10\.0 install --frozen-lockfile/);
      expect(install.files['pnpm-workspace.yaml']).toMatch(/^catalog:/m);
      const sfc = JSON.parse(install.files['packages/compiler-sfc/package.json']!);
      expect(sfc.devDependencies['postcss-selector-parser']).toMatch(/^\^6/);
      expect(sfc.scripts).toBeUndefined();
      // packages/vue/compiler-sfc is a subpath of the vue package, not a workspace (the glob is packages/*).
      expect(install.files['packages/vue/compiler-sfc/package.json']).toBeUndefined();
      expect(install.files['packages-private/sfc-playground/package.json']).toBeDefined();
    });
  },
);

describe('dependencies as a fix declares them', () => {
  it('applies the hunks of dependency files only; a new requirements file appears; a stale hunk changes nothing', () => {
    const base = snapshotFromFiles({ 'package.json': '{\n  "devDependencies": {\n    "a": "1"\n  }\n}\n' }, [
      'src/x.js',
    ]);
    const patch = [
      'diff --git a/package.json b/package.json',
      '--- a/package.json',
      '+++ b/package.json',
      '@@ -1,5 +1,6 @@',
      ' {',
      '   "devDependencies": {',
      '-    "a": "1"',
      '+    "a": "1",',
      '+    "b": "2"',
      '   }',
      ' }',
      'diff --git a/src/x.js b/src/x.js',
      '--- a/src/x.js',
      '+++ b/src/x.js',
      '@@ -1 +1 @@',
      '-old',
      '+new',
      'diff --git a/requirements-dev.txt b/requirements-dev.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/requirements-dev.txt',
      '@@ -0,0 +1 @@',
      '+pytest',
      '',
    ].join('\n');
    const { snapshot, changed } = withPatchedDependencies(base, patch);
    expect(changed).toEqual(['package.json', 'requirements-dev.txt']);
    expect(JSON.parse(snapshot.files.get('package.json')!).devDependencies).toEqual({ a: '1', b: '2' });
    expect(snapshot.files.get('requirements-dev.txt')).toBe('pytest\n');
    expect(snapshot.files.has('src/x.js')).toBe(false);
    expect(snapshot.paths).toContain('requirements-dev.txt');
    // Applied twice, the hunk no longer matches: the file stays as the first application left it.
    const again = withPatchedDependencies(snapshot, patch);
    expect(again.changed).toEqual([]);
    expect(withPatchedDependencies(base, undefined).snapshot).toBe(base);
    // A patch the diff parser cannot read plans from the commit as it is.
    expect(
      withPatchedDependencies(base, patch.replace('@@ -1,5 +1,6 @@', '@@ -1,2 +1,2 @@')).changed,
    ).toEqual([]);
  });
});

describe('workspaces: the packages of a monorepo install with its root', () => {
  it('reads pnpm-workspace.yaml and package.json workspaces; workspace manifests keep only what decides deps', async () => {
    expect(
      pnpmWorkspaceGlobs(
        "packages:\n  - 'packages/*'\n  - \"tools/*\" # tools\n  - '!**/test/**'\ncatalog:\n  a: ^1\n",
      ),
    ).toEqual(['packages/*', 'tools/*', '!**/test/**']);
    const files = {
      'package.json': JSON.stringify({
        workspaces: { packages: ['packages/*'] },
        overrides: { lodash: '4.17.21' },
        devDependencies: { mocha: '10' },
      }),
      'package-lock.json': '{}',
      'packages/a/package.json': JSON.stringify({
        name: '@ws/a',
        version: '1.0.0',
        scripts: { build: 'tsc' },
        dependencies: { '@ws/b': '*', 'left-pad': '^1' },
      }),
      'packages/b/package.json': JSON.stringify({ name: '@ws/b', version: '1.0.0' }),
      'packages/a/test/fixture/package.json': JSON.stringify({ name: 'fixture', dependencies: { x: '1' } }),
      'examples/demo/package.json': JSON.stringify({ name: 'demo' }),
    };
    const plan = await planEnv(snapshotFromFiles(files));
    const install = plan.install as { files: Record<string, string> };
    expect(Object.keys(install.files).sort()).toEqual([
      'package-lock.json',
      'package.json',
      'packages/a/package.json',
      'packages/b/package.json',
    ]);
    expect(JSON.parse(install.files['packages/a/package.json']!)).toEqual({
      name: '@ws/a',
      version: '1.0.0',
      dependencies: { '@ws/b': '*', 'left-pad': '^1' },
    });
    // The root keeps what lockfiles record (workspaces, overrides).
    expect(JSON.parse(install.files['package.json']!)).toMatchObject({
      workspaces: { packages: ['packages/*'] },
      overrides: { lodash: '4.17.21' },
    });
    // At test time the installed packages become links to the checkout's own.
    expect(plan.preTest.join('\n')).toMatch(/for d in packages\/a packages\/b; do/);
    // No workspaces: nothing of the kind.
    const single = await planEnv(snapshotFromFiles({ 'package.json': '{}', 'lib/package.json': '{}' }));
    expect(Object.keys((single.install as { files: object }).files)).toEqual(['package.json']);
    expect(single.preTest.join('\n')).not.toMatch(/for d in/);
  });
});

describe("test commands from the repo's scripts.test", () => {
  it('keeps the repo setup, drops gates, adds the parser reporter and the test paths as default', () => {
    // expressjs/express 4.x and anuraghazra/github-readme-stats (ESM jest), as their package.json say.
    expect(
      testCommandFromScript(
        'mocha --require test/support/env --reporter spec --bail --check-leaks test/ test/acceptance/',
        'mocha',
      ),
    ).toBe(
      'mocha --require test/support/env --check-leaks --reporter spec --exit {tests:test/ test/acceptance/}',
    );
    // The repo's own --exit is kept, once.
    expect(testCommandFromScript('mocha test/unit --timeout 30000 --exit', 'mocha')).toBe(
      'mocha --timeout 30000 --exit --reporter spec {tests:test/unit}',
    );
    expect(
      testCommandFromScript(
        'node --experimental-vm-modules node_modules/jest/bin/jest.js --coverage',
        'jest',
      ),
    ).toBe(
      `node --experimental-vm-modules node_modules/jest/bin/jest.js --verbose --ci --maxWorkers=2 ${JEST_TAIL('{tests}')}`,
    );
    expect(testCommandFromScript('npm run lint && cross-env NODE_ENV=test jest --coverage', 'jest')).toBe(
      `NODE_ENV=test jest --verbose --ci --maxWorkers=2 ${JEST_TAIL('{tests}')}`,
    );
    // jest refuses --runInBand beside --maxWorkers, so the script's choice of processes is kept, alone.
    expect(testCommandFromScript('jest --runInBand --coverage', 'jest')).toBe(
      `jest --runInBand --verbose --ci ${JEST_TAIL('{tests}')}`,
    );
    expect(testCommandFromScript('jest -w 4 test/', 'jest')).toBe(
      `jest -w 4 --verbose --ci ${JEST_TAIL('{tests:test/}')}`,
    );
    expect(testCommandFromScript('nyc --reporter=text _mocha -R dot test', 'mocha')).toBe(
      'mocha --reporter spec --exit {tests:test}',
    );
    expect(testCommandFromScript('vitest', 'vitest')).toMatch(/^vitest run --reporter=verbose .* \{tests\}$/);
    expect(testCommandFromScript('npm run build && npm run unit', 'jest')).toBeUndefined();
    expect(testCommandFromScript('jest "$(cat list)"', 'jest')).toBeUndefined();
  });

  it("finds the script that runs the runner through the repo's npm run chain", () => {
    // axios 1.x: `npm test` runs eslint, then mocha, then karma, each through its own script.
    const axios = {
      test: 'npm run test:eslint && npm run test:mocha && npm run test:karma',
      'test:eslint': 'eslint lib/**/*.js',
      'test:mocha': 'node bin/ssl_hotfix.js mocha test/unit/**/*.js --timeout 30000 --exit',
      'test:karma': 'karma start karma.conf.cjs --single-run',
    };
    expect(scriptRunning(axios, 'mocha')).toBe(axios['test:mocha']);
    expect(scriptRunning(axios, 'karma')).toBe(axios['test:karma']);
    expect(scriptRunning({ test: 'mocha test' }, 'mocha')).toBe('mocha test');
    expect(scriptRunning(axios, 'jest')).toBeUndefined();
  });

  it("runs an instance's tests with the runner whose suite they are in (karma's patterns, else the other runner)", async () => {
    // axios 0.27: grunt runs mocha on test/unit and karma (its config: test/specs/**/*.spec.js) in the browser.
    const pkg = { scripts: { test: 'grunt test' }, devDependencies: { karma: '6', mocha: '8' } };
    const karmaConf = `module.exports = (config) => config.set({ files: ['test/specs/__helpers.js', 'test/specs/**/*.spec.js'] });`;
    const snap = snapshotFromFiles({ 'package.json': JSON.stringify(pkg), 'karma.conf.js': karmaConf });
    const node = await planEnv(snap, { testFiles: ['test/unit/adapters/http.js'] });
    expect(node.testRunner).toBe('mocha');
    // mocha alone reads only ./test: the instance's suite directory, recursively.
    expect(node.testCmd).toBe('npx mocha --no-color --reporter spec --exit --recursive {tests:test/unit}');
    expect(node.notes.join('\n')).toMatch(
      /karma's config does not serve test\/unit\/adapters\/http.js: mocha runs the instance's tests/,
    );
    // A test patch across both suites (axios-6539: a karma spec and a mocha regression test): karma would never
    // run the mocha file, while mocha at least tries the spec.
    const mixed = await planEnv(snap, {
      testFiles: ['test/specs/helpers/isAbsoluteURL.spec.js', 'test/unit/regression/SNYK.js'],
    });
    expect(mixed.testRunner).toBe('mocha');
    // Only the mocha file is passed (mocha fails whole on an ES module spec it cannot load, axios-6539).
    expect(mixed.testCmd).toMatch(/ test\/unit\/regression\/SNYK\.js$/);
    expect(mixed.testCmd).not.toMatch(/\{tests|isAbsoluteURL/);
    expect(mixed.notes.join('\n')).toMatch(/does not serve test\/unit\/regression\/SNYK.js: mocha/);
    const browser = await planEnv(snap, { testFiles: ['test/specs/requests.spec.js'] });
    expect(browser.testRunner).toBe('karma');
    // preact: brace patterns with an empty alternative (`{debug,hooks,}/test/{browser,shared}/...`).
    const preactConf = `files: [{ pattern: config.grep || '{debug,hooks,compat,}/test/{browser,shared}/**/*.test.js' }]`;
    const preact = snapshotFromFiles({ 'package.json': JSON.stringify(pkg), 'karma.conf.js': preactConf });
    expect((await planEnv(preact, { testFiles: ['test/browser/render.test.js'] })).testRunner).toBe('karma');
    expect((await planEnv(preact, { testFiles: ['hooks/test/browser/useState.test.js'] })).testRunner).toBe(
      'karma',
    );
    // Its config takes the files from `--grep` (as SWE-bench's command passes them): only the instance's run.
    const one = await planEnv(preact, { testFiles: ['test/browser/render.test.js'] });
    expect(one.testCmd).toMatch(/ --grep=test\/browser\/render\.test\.js$/);
    const two = await planEnv(preact, {
      testFiles: ['test/browser/render.test.js', 'hooks/test/browser/useState.test.js'],
    });
    expect(two.testCmd).toMatch(
      / '--grep=\{test\/browser\/render\.test\.js,hooks\/test\/browser\/useState\.test\.js\}'$/,
    );
    // The repo's own script's environment for karma (preact 10.5: BABEL_NO_MODULES, which its babel config
    // reads), found in `test:karma` when `npm test` reaches karma through run-p; coverage switches left out.
    const preact105 = snapshotFromFiles({
      'package.json': JSON.stringify({
        ...pkg,
        scripts: {
          test: 'npm-run-all build lint test:unit',
          'test:unit': 'run-p test:mocha test:karma:minify test:ts',
          'test:karma':
            'cross-env COVERAGE=true BABEL_NO_MODULES=true karma start karma.conf.js --single-run',
        },
      }),
      'karma.conf.js': preactConf,
    });
    const env = await planEnv(preact105, { testFiles: ['test/browser/render.test.js'] });
    expect(env.testCmd).toMatch(/^BABEL_NO_MODULES=true npx karma start karma\.conf\.js /);
    // axios' config names its files itself: no --grep.
    expect(browser.testCmd).not.toMatch(/--grep/);
    // No test files known (mining a repo): the runner is chosen as before.
    expect((await planEnv(snap)).testRunner).toBe('karma');
  });

  it('prints a status line per test from jest JSON results and keeps the run exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repoforge-jest-json-'));
    const file = join(dir, 'results.json');
    const assertion = (ancestorTitles: string[], title: string, status: string) => ({
      ancestorTitles,
      title,
      status,
    });
    writeFileSync(
      file,
      JSON.stringify({
        testResults: [
          {
            assertionResults: [
              assertion(['OrderedMap'], 'hashCode', 'passed'),
              assertion([], 'top', 'failed'),
            ],
          },
          { assertionResults: [assertion(['A', 'B'], 'later', 'pending')] },
        ],
      }),
    );
    const run = spawnSync('bash', ['-c', `(exit 3); ${JEST_STATUS_LINES.replaceAll(JEST_JSON, file)}`], {
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stdout.trim().split('\n')).toEqual([
      '[PASSED] OrderedMap > hashCode',
      '[FAILED] top',
      '[PENDING] A > B > later',
    ]);
    expect(run.status).toBe(3);
  });

  it("builds before the tests when the repo's npm test does (pretest, npm-run-all, npm run chains)", async () => {
    // immutable-js 4.3: its jest resolver loads dist/ in CI mode, so the tests need the build.
    const immutable = {
      test: 'run-s format lint type-check build unit-test',
      build: 'run-s build:*',
      lint: 'run-s lint:*',
      'unit-test': 'jest',
    };
    expect(buildStepsBeforeTests(immutable)).toEqual(['npm run build']);
    expect(buildStepsBeforeTests({ test: 'npm run build && jest', build: 'tsc' })).toEqual(['npm run build']);
    expect(buildStepsBeforeTests({ test: 'npm run build && jest' })).toEqual([]); // no such script
    expect(buildStepsBeforeTests({ pretest: 'yarn compile', compile: 'tsc', test: 'mocha' })).toEqual([
      'npm run compile',
    ]);
    expect(buildStepsBeforeTests({ test: 'npm-run-all -s build:* test:unit', 'test:unit': 'jest' })).toEqual([
      "npx run-s 'build:*'",
    ]);
    // A build after the tests, or none at all, is not a step before them.
    expect(buildStepsBeforeTests({ test: 'jest && npm run build' })).toEqual([]);
    expect(buildStepsBeforeTests({ test: 'npm run lint && jest', lint: 'eslint .' })).toEqual([]);
    const plan = await planEnv(
      snapshotFromFiles({
        'package.json': JSON.stringify({
          scripts: immutable,
          devDependencies: { jest: '29', 'npm-run-all': '4' },
        }),
      }),
    );
    expect(plan.preTest.slice(-2)).toEqual(['npm run build', `rm -f ${JEST_JSON}`]);
    expect(plan.notes.join('\n')).toMatch(
      /built before the tests, as the repo's npm test does: npm run build/,
    );
  });
});

describe('Debian names', () => {
  it('flit is packaged as flit (python3-flit does not exist); and so is its core', async () => {
    const { aptPackageFor } = await import('./plan/apt-aliases.js');
    expect(aptPackageFor('flit')).toBe('flit');
    expect(aptPackageFor('flit-core')).toBe('flit');
  });
});
