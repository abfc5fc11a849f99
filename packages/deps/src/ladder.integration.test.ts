import { createSandbox } from '@repoforge/sandbox';
import { baseImage, npmAppSpec, serveNpmRegistry, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { type BuiltEnv, EnvBuilder, type EnvPlan, obtainEnv } from './index.js';

/** The real verification: the test command in a network-less sandbox from the built image, TAP oks counted. */
async function verifyInImage(spec: EnvPlan, built: BuiltEnv) {
  await using sb = await createSandbox({ backend: 'docker', image: built.image, network: 'none' });
  const r = await sb.exec([
    '/bin/sh',
    '-c',
    `cd /opt/deps && PATH=/opt/deps/node_modules/.bin:$PATH ${spec.testCmd} 2>&1`,
  ]);
  return { tests: (r.stdout.match(/^ok \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.stdout };
}

const index = (value: number) => ({ 'index.js': `module.exports = ${value};` });

// A test runner that knows only file arguments, as an old runner rejects a flag the plan adds.
const RUNNER = `#!/usr/bin/env node
const bad = process.argv.slice(2).find((a) => a.startsWith('-'));
if (bad) { console.error("error: unknown option '" + bad + "'"); process.exit(1); }
console.log('TAP version 13');
console.log('ok 1 - host and plugin load');
console.log('1..1');
`;

// A runner that works only on Node 18, as old test tooling breaks on newer Nodes.
const OLD_RUNNER = `#!/usr/bin/env node
if (!process.versions.node.startsWith('18.')) {
  console.error('error: The engine "node" is incompatible with this module. Expected version "18.x". Got "' + process.versions.node + '"');
  process.exit(1);
}
console.log('ok 1 - runs on node ' + process.versions.node);
`;

describe.skipIf(await skipWithoutDocker())('the repair ladder on a repo built to need it', () => {
  it('a peer conflict gets --legacy-peer-deps, an unknown runner flag is dropped, and the tests then run', async () => {
    await using dir = await tempDir();
    await using registry = await serveNpmRegistry(dir.path);
    await registry.publish([
      { manifest: { name: 'host', version: '1.0.0' }, files: index(1) },
      { manifest: { name: 'host', version: '2.0.0' }, files: index(2) },
      {
        manifest: { name: 'plugin', version: '1.0.0', peerDependencies: { host: '^1.0.0' } },
        files: index(1),
      },
      {
        manifest: { name: 'runner', version: '1.0.0', bin: { runner: 'cli.js' } },
        files: { 'cli.js': RUNNER },
      },
    ]);
    const plan: EnvPlan = npmAppSpec({
      registry: registry.base,
      dependencies: { host: '^2.0.0', plugin: '^1.0.0', runner: '^1.0.0' },
      testCmd: 'runner --no-color test/',
    });
    const got = await obtainEnv(plan, { provider: new EnvBuilder({ baseImage }), verify: verifyInImage });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'install_conflict'],
      ['legacy-peer-deps', 'unknown_flag'],
      ['drop-unknown-flag', 'ok'],
    ]);
    expect(got.spec.testCmd).toBe('runner test/');
    expect((got.spec.install as { command: string }).command).toMatch(/--legacy-peer-deps$/);
  });

  it('a runner that needs an older Node gets one: each Node tried is built for real and recorded', async () => {
    await using dir = await tempDir();
    await using registry = await serveNpmRegistry(dir.path);
    await registry.publish([
      {
        manifest: { name: 'oldrunner', version: '1.0.0', bin: { oldrunner: 'cli.js' } },
        files: { 'cli.js': OLD_RUNNER },
      },
    ]);
    const plan: EnvPlan = npmAppSpec({
      registry: registry.base,
      dependencies: { oldrunner: '1.0.0' },
      node: '22.12.0',
      testCmd: 'oldrunner',
    });
    const got = await obtainEnv(plan, { provider: new EnvBuilder({ baseImage }), verify: verifyInImage });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'wrong_runtime'],
      ['other-node-version', 'wrong_runtime'],
      ['other-node-version', 'ok'],
    ]);
    expect(got.spec.runtime.version).toMatch(/^18\./);
  });

  it('a jest suite that ends the process in band is run again with workers, and then every result is there', async () => {
    // Real jest from the npm registry: in band, the test that calls process.exit ends jest itself, so the
    // results after it and the summary never print; with workers only that file fails.
    const plan = jestPlan('npx jest --runInBand --verbose --ci {tests}');
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: verifyJest(JEST_TESTS),
    });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'results_incomplete'],
      ['jest-workers', 'ok'],
    ]);
    expect(got.attempts[0]!.detail).toMatch(/^4 tests reported, then the run stopped/);
    expect(got.attempts[1]!.detail).toBe('4 tests ran');
    expect(got.spec.testCmd).toBe('npx jest --verbose --ci --maxWorkers=2 {tests}');
  });

  it('a test that reaches for the internet is found by its failure and kept as the network list', async () => {
    // Tests run with network none: the lookup fails as it would for any test that calls a real API.
    const files = {
      '/opt/deps/__tests__/parse.test.js': JEST_TESTS['/opt/deps/__tests__/parse.test.js'],
      '/opt/deps/__tests__/remote.test.js': `test('reads the registry', async () => {
  await require('node:dns').promises.lookup('registry.npmjs.org');
});
test('adds locally', () => expect(1 + 1).toBe(3));
`,
    };
    const plan = jestPlan('npx jest --verbose --ci --maxWorkers=2 {tests}');
    const got = await obtainEnv(plan, { provider: new EnvBuilder({ baseImage }), verify: verifyJest(files) });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([['as planned', 'ok']]);
    // The other failure (a wrong assertion) is a real one: it stays graded.
    expect(got.spec.networkTests).toEqual(['reads the registry']);
    expect(got.attempts[0]!.detail).toBe('6 tests ran; 1 need the internet (excluded from grading)');
  });
});

/** Real jest 29.7 from the npm registry, run by `testCmd`. */
function jestPlan(testCmd: string): EnvPlan {
  return {
    ecosystem: 'node',
    runtime: { name: 'node', version: '20.19.0' },
    systemPackages: ['ca-certificates'],
    install: {
      strategy: 'npm',
      files: {
        'package.json': JSON.stringify({
          name: 'in-band',
          version: '1.0.0',
          devDependencies: { jest: '29.7.0' },
        }),
      },
      command: 'npm install --no-audit --no-fund --ignore-scripts',
    },
    preTest: [],
    testCmd,
    logParser: 'parse_log_jest',
    testRunner: 'jest',
    notes: [],
  };
}

// The larger file runs first (jest orders uncached files by size), so in band its results print before the exit.
const JEST_TESTS = {
  '/opt/deps/__tests__/parse.test.js': `// Splitting a list: four tests, and enough text that jest runs this file first.
const parse = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
test('splits on commas', () => expect(parse('a,b')).toEqual(['a', 'b']));
test('trims each part', () => expect(parse(' a , b ')).toEqual(['a', 'b']));
test('drops empty parts', () => expect(parse('a,,b')).toEqual(['a', 'b']));
test('an empty string is no parts', () => expect(parse('')).toEqual([]));
`,
  '/opt/deps/__tests__/cli.test.js': `test('the CLI ends the process', () => process.exit(1));\n`,
};

/** Jest's verbose results (`✓|✕ title`, as parse_log_jest reads them) of a run of `files` in the image. */
const verifyJest = (files: Record<string, string>) => async (spec: EnvPlan, built: BuiltEnv) => {
  await using sb = await createSandbox({ backend: 'docker', image: built.image, network: 'none' });
  await sb.writeFiles(files);
  const cmd = spec.testCmd.replace('{tests}', '');
  const r = await sb.exec([
    '/bin/sh',
    '-c',
    `cd /opt/deps && PATH=/opt/deps/node_modules/.bin:$PATH ${cmd} 2>&1`,
  ]);
  const statusMap: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^\s*([✓✕]) (.+?)(?: \(\d+ ms\))?$/gm))
    statusMap[m[2]!] = m[1] === '✓' ? 'PASSED' : 'FAILED';
  return { tests: Object.keys(statusMap).length, exitCode: r.exitCode, log: r.stdout, statusMap };
};
