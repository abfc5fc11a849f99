import { createSandbox } from '@repoforge/sandbox';
import { baseImage, npmAppSpec, serveNpmRegistry, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { type BuiltEnv, EnvBuilder, type EnvSpec, obtainEnv } from './index.js';

/** The real verification: the test command in a network-less sandbox from the built image, TAP oks counted. */
async function verifyInImage(spec: EnvSpec, built: BuiltEnv) {
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
    const plan: EnvSpec = npmAppSpec({
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
    const plan: EnvSpec = npmAppSpec({
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
});
