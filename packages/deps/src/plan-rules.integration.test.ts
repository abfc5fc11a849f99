import { createSandbox } from '@repoforge/sandbox';
import { baseImage, serveNpmRegistry, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import {
  type BuiltEnv,
  EnvBuilder,
  type EnvPlan,
  obtainEnv,
  planEnv,
  snapshotFromFiles,
  withPatchedDependencies,
} from './index.js';

/** Runs `cmd` in a network-less sandbox from the built image, in a repo dir holding `files`, after the plan's preTest. */
async function runInImage(spec: EnvPlan, built: BuiltEnv, cmd: string, files: Record<string, string> = {}) {
  await using sb = await createSandbox({ backend: 'docker', image: built.image, network: 'none' });
  await sb.writeFiles(Object.entries(files).map(([path, content]) => ({ path: `/repo/${path}`, content })));
  const script = ['mkdir -p /repo', 'cd /repo', ...spec.preTest, cmd].join(' && ');
  const r = await sb.exec(['/bin/sh', '-c', `${script} 2>&1`], { timeoutMs: 180_000 });
  return { exitCode: r.exitCode, log: r.stdout };
}

const tapper = (version: string) => ({
  manifest: { name: 'tapper', version, bin: { tapper: 'cli.js' } },
  files: {
    'cli.js': `#!/usr/bin/env node\nconsole.log('ok 1 - tapper ${version} on node ' + process.versions.node);\n`,
  },
});

// A yarn 4 lockfile as yarn writes it: the root workspace under the repo's name, tapper pinned at 1.0.0.
const BERRY_LOCK = `__metadata:
  version: 8
  cacheKey: 10

"berry-app@workspace:.":
  version: 0.0.0-use.local
  resolution: "berry-app@workspace:."
  dependencies:
    tapper: "npm:^1.0.0"
  languageName: unknown
  linkType: soft

"tapper@npm:^1.0.0":
  version: 1.0.0
  resolution: "tapper@npm:1.0.0"
  bin:
    tapper: cli.js
  languageName: node
  linkType: hard
`;

// A pnpm 9 workspace as pnpm writes its lockfile: the app uses the lib package, which has its own dependency.
const WORKSPACE_LOCK = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  packages/app:
    dependencies:
      '@mono/lib':
        specifier: workspace:*
        version: link:../lib

  packages/lib:
    dependencies:
      is-number:
        specifier: ^7.0.0
        version: 7.0.0

packages:

  is-number@7.0.0:
    resolution: {integrity: sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==}
    engines: {node: '>=0.12.0'}

snapshots:

  is-number@7.0.0: {}
`;

const WORKSPACE_REPO = {
  'package.json': JSON.stringify({
    name: 'mono',
    private: true,
    packageManager: 'pnpm@9.15.0',
    scripts: { test: 'node --test' },
  }),
  'pnpm-workspace.yaml': "packages:\n  - 'packages/*'\n",
  'pnpm-lock.yaml': WORKSPACE_LOCK,
  'packages/lib/package.json': JSON.stringify({
    name: '@mono/lib',
    version: '1.0.0',
    main: 'index.js',
    dependencies: { 'is-number': '^7.0.0' },
  }),
  'packages/lib/index.js':
    "const isNumber = require('is-number');\nmodule.exports = (x) => (isNumber(x) ? 'number ' + x : 'not a number');\n",
  'packages/app/package.json': JSON.stringify({
    name: '@mono/app',
    version: '1.0.0',
    private: true,
    dependencies: { '@mono/lib': 'workspace:*' },
  }),
  'packages/app/test/app.test.js': [
    "const test = require('node:test');",
    "const assert = require('node:assert');",
    "test('the app reads numbers through the lib package', () => assert.strictEqual(require('@mono/lib')(5), 'number 5'));",
    '',
  ].join('\n'),
};

describe.skipIf(await skipWithoutDocker())('planner rules on repos built to need them', () => {
  it('a fix that declares a dependency its tests import: planned with it, and the lockfile it outgrew updated', {
    timeout: 600_000,
  }, async () => {
    const repo = {
      'package.json':
        '{\n  "name": "app",\n  "version": "1.0.0",\n  "scripts": { "test": "node --test" }\n}\n',
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'app', version: '1.0.0' } },
      }),
      'test/num.test.js':
        "const test = require('node:test');\nconst isNumber = require('is-number');\ntest('is-number is installed', () => { if (!isNumber(5)) throw new Error('no'); });\n",
    };
    const fix = [
      'diff --git a/package.json b/package.json',
      '--- a/package.json',
      '+++ b/package.json',
      '@@ -1,5 +1,6 @@',
      ' {',
      '   "name": "app",',
      '   "version": "1.0.0",',
      '+  "dependencies": { "is-number": "^7.0.0" },',
      '   "scripts": { "test": "node --test" }',
      ' }',
      '',
    ].join('\n');
    const plan = await planEnv(withPatchedDependencies(snapshotFromFiles(repo), fix).snapshot);
    const run = (spec: EnvPlan, built: BuiltEnv) =>
      runInImage(spec, built, spec.testCmd.replace('{tests}', 'test/num.test.js'), repo);
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: async (spec, built) => {
        const r = await run(spec, built);
        return { tests: (r.log.match(/^# pass \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.log };
      },
    });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'lockfile_out_of_sync'],
      ['update-lockfile', 'ok'],
    ]);
    const r = await run(got.spec, got.built);
    expect(r.log).toMatch(/^# pass 1$/m);
    expect(r.exitCode).toBe(0);
  });

  it("pnpm workspace: a workspace package's own dependency is installed, and packages reach each other's code in the checkout", {
    timeout: 600_000,
  }, async () => {
    const plan = await planEnv(snapshotFromFiles(WORKSPACE_REPO));
    expect(Object.keys((plan.install as { files: object }).files)).toContain('packages/lib/package.json');
    const run = (spec: EnvPlan, built: BuiltEnv) =>
      runInImage(
        spec,
        built,
        spec.testCmd.replace('{tests}', 'packages/app/test/app.test.js'),
        WORKSPACE_REPO,
      );
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: async (spec, built) => {
        const r = await run(spec, built);
        return { tests: (r.log.match(/^ok \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.log };
      },
    });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([['as planned', 'ok']]);
    const r = await run(got.spec, got.built);
    expect(r.log).toMatch(/^ok 1 - the app reads numbers through the lib package/m);
    expect(r.exitCode).toBe(0);
  });

  it('yarn berry (Plug-n-Play, a pinned release) with .nvmrc: yarn 4 installs the locked version into node_modules on Node 18', {
    timeout: 600_000,
  }, async () => {
    await using dir = await tempDir();
    await using registry = await serveNpmRegistry(dir.path);
    // 1.1.0 is the registry's latest: only the lockfile says 1.0.0.
    await registry.publish([tapper('1.0.0'), tapper('1.1.0')]);
    const snapshot = snapshotFromFiles({
      'package.json': JSON.stringify({
        name: 'berry-app',
        packageManager: 'yarn@4.5.3',
        devDependencies: { tapper: '^1.0.0' },
        scripts: { test: 'tapper' },
      }),
      'yarn.lock': BERRY_LOCK,
      '.nvmrc': 'v18\n',
      '.yarnrc.yml': [
        'nodeLinker: pnp',
        'yarnPath: .yarn/releases/yarn-4.5.3.cjs',
        `npmRegistryServer: "${registry.base}"`,
        'unsafeHttpWhitelist:',
        '  - 127.0.0.1',
        '',
      ].join('\n'),
    });
    const plan = await planEnv(snapshot);
    expect(plan.runtime.version).toMatch(/^18\./);
    expect((plan.install as { files: Record<string, string> }).files['.yarnrc.yml']).not.toMatch(
      /yarnPath|nodeLinker/,
    );
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: async (spec, built) => {
        const r = await runInImage(spec, built, 'tapper');
        return { tests: (r.log.match(/^ok \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.log };
      },
    });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([['as planned', 'ok']]);
    const r = await runInImage(got.spec, got.built, 'tapper');
    expect(r.log).toMatch(/^ok 1 - tapper 1\.0\.0 on node 18\./m);
    expect(registry.hits.some((h) => h.includes('tapper-1.0.0.tgz'))).toBe(true);
  });

  it("karma in Debian's headless Chromium, in a container without network: every test reported by name", {
    timeout: 900_000,
  }, async () => {
    const repo = {
      'karma.conf.js':
        "module.exports = (config) => config.set({ frameworks: ['mocha'], files: ['test/**/*.test.js'] });\n",
      'test/math.test.js': [
        "describe('math', () => {",
        "  it('adds', () => { if (1 + 1 !== 2) throw new Error('no'); });",
        "  it('knows the browser', () => { if (typeof document === 'undefined') throw new Error('no DOM'); });",
        "  it('fails on purpose', () => { throw new Error('expected failure'); });",
        '});',
        '',
      ].join('\n'),
    };
    const snapshot = snapshotFromFiles(
      {
        'package.json': JSON.stringify({
          devDependencies: {
            karma: '6.4.4',
            'karma-mocha': '2.0.1',
            mocha: '10.8.2',
            'karma-chrome-launcher': '3.2.0',
            'karma-mocha-reporter': '2.2.5',
          },
          scripts: { test: 'karma start --single-run' },
        }),
      },
      Object.keys(repo),
    );
    const plan = await planEnv(snapshot);
    expect(plan).toMatchObject({ testRunner: 'karma', logParser: 'parse_log_karma' });
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: async (spec, built) => {
        const r = await runInImage(spec, built, spec.testCmd, repo);
        return { tests: (r.log.match(/[✔✖]/g) ?? []).length, exitCode: r.exitCode, log: r.log };
      },
    });
    expect(got.attempts.at(-1)?.outcome).toBe('ok');
    const r = await runInImage(got.spec, got.built, got.spec.testCmd, repo);
    expect(r.log).toMatch(/✔ adds/);
    expect(r.log).toMatch(/✔ knows the browser/);
    expect(r.log).toMatch(/✖ fails on purpose/);
    expect(r.exitCode).not.toBe(0);
  });
});
