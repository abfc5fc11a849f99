import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSandbox } from '@repoforge/sandbox';
import { baseImage, type Route, serveRoutes, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvBuilder, type EnvSpec, obtainEnv } from './index.js';

const run = promisify(execFile);

/** An npm tarball of a package made of these files. */
async function pack(
  dir: string,
  pkg: Record<string, unknown>,
  files: Record<string, string>,
): Promise<Buffer> {
  const root = join(dir, `${pkg.name}-${pkg.version}`, 'package');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify(pkg));
  for (const [f, text] of Object.entries(files)) await writeFile(join(root, f), text, { mode: 0o755 });
  const tgz = join(dir, `${pkg.name}-${pkg.version}.tgz`);
  await run('tar', ['-czf', tgz, '-C', join(root, '..'), 'package']);
  return readFile(tgz);
}

/** Registry routes (packuments and tarballs) for these packages. */
function registry(
  base: string,
  pkgs: { manifest: Record<string, unknown>; tgz: Buffer }[],
): Record<string, Route> {
  const routes: Record<string, Route> = {};
  const byName = new Map<string, Record<string, unknown>>();
  for (const { manifest, tgz } of pkgs) {
    const name = String(manifest.name);
    const version = String(manifest.version);
    const path = `/${name}/-/${name}-${version}.tgz`;
    routes[path] = { body: tgz };
    const doc = byName.get(name) ?? { name, versions: {}, 'dist-tags': {} };
    (doc.versions as Record<string, unknown>)[version] = {
      ...manifest,
      dist: { tarball: `${base}${path}`, shasum: createHash('sha1').update(tgz).digest('hex') },
    };
    (doc['dist-tags'] as Record<string, string>).latest = version;
    byName.set(name, doc);
  }
  for (const [name, doc] of byName)
    routes[`/${name}`] = { type: 'application/json', body: JSON.stringify(doc) };
  return routes;
}

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
    const pkgs: { manifest: Record<string, unknown>; files: Record<string, string> }[] = [
      { manifest: { name: 'host', version: '1.0.0' }, files: { 'index.js': 'module.exports = 1;' } },
      { manifest: { name: 'host', version: '2.0.0' }, files: { 'index.js': 'module.exports = 2;' } },
      {
        manifest: { name: 'plugin', version: '1.0.0', peerDependencies: { host: '^1.0.0' } },
        files: { 'index.js': 'module.exports = 1;' },
      },
      {
        manifest: { name: 'runner', version: '1.0.0', bin: { runner: 'cli.js' } },
        files: { 'cli.js': RUNNER },
      },
    ];
    const routes: Record<string, Route> = {};
    await using server = await serveRoutes(routes);
    const tarballs = [];
    for (const p of pkgs)
      tarballs.push({ manifest: p.manifest, tgz: await pack(dir.path, p.manifest, p.files) });
    Object.assign(routes, registry(server.base, tarballs));
    const plan: EnvSpec = {
      ecosystem: 'node',
      runtime: { name: 'node', version: '20.19.0' },
      systemPackages: ['git', 'patch', 'ca-certificates'],
      install: {
        strategy: 'npm',
        files: {
          'package.json': JSON.stringify({
            name: `app-${Date.now()}`,
            version: '1.0.0',
            dependencies: { host: '^2.0.0', plugin: '^1.0.0', runner: '^1.0.0' },
          }),
          '.npmrc': `registry=${server.base}/\n`,
        },
        command: 'npm install --no-audit --no-fund --ignore-scripts',
      },
      preTest: [],
      testCmd: 'runner --no-color test/',
      logParser: 'parse_log_tap',
      testRunner: 'runner',
      notes: [],
    };
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      // The real verification: the test command in a network-less sandbox from the built image.
      verify: async (spec, built) => {
        await using sb = await createSandbox({ backend: 'docker', image: built.image, network: 'none' });
        const r = await sb.exec([
          '/bin/sh',
          '-c',
          `cd /opt/deps && PATH=/opt/deps/node_modules/.bin:$PATH ${spec.testCmd} 2>&1`,
        ]);
        return { tests: (r.stdout.match(/^ok \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.stdout };
      },
    });
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
    const manifest = { name: 'oldrunner', version: '1.0.0', bin: { oldrunner: 'cli.js' } };
    const routes: Record<string, Route> = {};
    await using server = await serveRoutes(routes);
    Object.assign(
      routes,
      registry(server.base, [{ manifest, tgz: await pack(dir.path, manifest, { 'cli.js': OLD_RUNNER }) }]),
    );
    const plan: EnvSpec = {
      ecosystem: 'node',
      runtime: { name: 'node', version: '22.12.0' },
      systemPackages: ['git', 'patch', 'ca-certificates'],
      install: {
        strategy: 'npm',
        files: {
          'package.json': JSON.stringify({
            name: `old-${Date.now()}`,
            version: '1.0.0',
            dependencies: { oldrunner: '1.0.0' },
          }),
          '.npmrc': `registry=${server.base}/\n`,
        },
        command: 'npm install --no-audit --no-fund --ignore-scripts',
      },
      preTest: [],
      testCmd: 'oldrunner',
      logParser: 'parse_log_tap',
      testRunner: 'oldrunner',
      notes: [],
    };
    const got = await obtainEnv(plan, {
      provider: new EnvBuilder({ baseImage }),
      verify: async (spec, built) => {
        await using sb = await createSandbox({ backend: 'docker', image: built.image, network: 'none' });
        const r = await sb.exec([
          '/bin/sh',
          '-c',
          `cd /opt/deps && PATH=/opt/deps/node_modules/.bin:$PATH ${spec.testCmd} 2>&1`,
        ]);
        return { tests: (r.stdout.match(/^ok \d+/gm) ?? []).length, exitCode: r.exitCode, log: r.stdout };
      },
    });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'wrong_runtime'],
      ['other-node-version', 'wrong_runtime'],
      ['other-node-version', 'ok'],
    ]);
    expect(got.spec.runtime.version).toMatch(/^18\./);
  });
});
