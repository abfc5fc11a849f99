import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSandbox, LocalBackend, type Sandbox } from '@repoforge/sandbox';
import { renderTestCmd } from '@repoforge/schema';
import {
  baseImage,
  exportCommit,
  makeGitRepo,
  runInTestbed,
  serveRoutes,
  skipWithoutBwrap,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvBuilder, type EnvProvider, LocalEnvBuilder, planEnv, snapshotFromGit } from './index.js';

const run = promisify(execFile);

const ADDON_C = `#include <node_api.h>
static napi_value Twice(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; double x; napi_value r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_double(env, argv[0], &x);
  napi_create_double(env, x * 2, &r);
  return r;
}
static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, NULL, 0, Twice, NULL, &fn);
  napi_set_named_property(env, exports, "twice", fn);
  return exports;
}
NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
`;

/** An npm tarball of a C addon (node-gyp builds it at install: npm's implicit `node-gyp rebuild`). */
async function packAddon(dir: string): Promise<Buffer> {
  const pkg = join(dir, 'package');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'native-twice', version: '1.0.0', main: 'index.js', gypfile: true }),
  );
  await writeFile(
    join(pkg, 'binding.gyp'),
    '{"targets": [{"target_name": "addon", "sources": ["addon.c"]}]}\n',
  );
  await writeFile(join(pkg, 'addon.c'), ADDON_C);
  await writeFile(join(pkg, 'index.js'), "module.exports = require('./build/Release/addon.node');\n");
  await run('tar', ['-czf', join(dir, 'addon.tgz'), '-C', dir, 'package']);
  return readFile(join(dir, 'addon.tgz'));
}

/** A registry on loopback that serves the one tarball the lockfile names. */
async function serveTarball(tgz: Buffer) {
  const path = '/native-twice/-/native-twice-1.0.0.tgz';
  const served = await serveRoutes({ [path]: { body: tgz } });
  return { ...served, url: `${served.base}${path}` };
}

/** Plans, builds and tests a repo depending on the addon; returns the test output and what the env holds. */
async function nativeRoundTrip(
  builder: EnvProvider,
  resolved: string,
  integrity: string,
  sandbox: (image: string) => Promise<Sandbox>,
) {
  await using root = await tempDir();
  const dir = join(root.path, 'acme', 'twice');
  const pkg = {
    name: 'uses-native',
    version: '1.0.0',
    scripts: { test: 'node --test' },
    dependencies: { 'native-twice': '1.0.0' },
  };
  const lock = {
    name: 'uses-native',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'uses-native', version: '1.0.0', dependencies: { 'native-twice': '1.0.0' } },
      'node_modules/native-twice': { version: '1.0.0', resolved, integrity, hasInstallScript: true },
    },
  };
  const [oid] = await makeGitRepo(dir, [
    {
      message: 'twice',
      files: {
        'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
        'package-lock.json': `${JSON.stringify(lock, null, 2)}\n`,
        'test/twice.test.js':
          "const test = require('node:test');\nconst assert = require('node:assert');\nconst { twice } = require('native-twice');\n\ntest('twice doubles natively', () => {\n  assert.strictEqual(twice(21), 42);\n});\n",
      },
    },
  ]);
  const spec = await planEnv(await snapshotFromGit({ gitdir: join(dir, '.git'), oid: oid! }));
  expect(spec.install).toMatchObject({ strategy: 'npm', native: ['native-twice'] });
  expect((spec.install as { command: string }).command).toMatch(
    /--ignore-scripts && npm rebuild native-twice$/,
  );
  const env = await builder.ensure(spec);
  const work = await exportCommit(dir, oid!, root.path);
  await using sb = await sandbox(env.image);
  const out = await runInTestbed(sb, work, [...spec.preTest, renderTestCmd(spec.testCmd, [])]);
  const probe = await sb.exec([
    '/bin/sh',
    '-c',
    'for t in cc gcc make; do command -v $t >/dev/null && echo "has $t"; done; ls /opt/node-headers 2>/dev/null && echo "has headers"; ls /opt/deps/node_modules/native-twice/build/Release; find /opt/deps -name "*.o" | head -3; true',
  ]);
  return { out, probe: probe.stdout };
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let reg: Awaited<ReturnType<typeof serveTarball>>;
let integrity: string;
beforeAll(async () => {
  dir = await tempDir();
  const tgz = await packAddon(dir.path);
  integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  reg = await serveTarball(tgz);
});
afterAll(async () => {
  await reg[Symbol.asyncDispose]();
  await dir[Symbol.asyncDispose]();
});

describe.skipIf(await skipWithoutDocker())('native npm dependencies on Docker', () => {
  it('builds the addon on a toolchain layer; the environment gets the addon and no toolchain', async () => {
    reg.hits.length = 0;
    // Headers would come from the dist URL if node-gyp wanted any: it points at the loopback server, which
    // records every request, so a download from outside the registry would show up as a hit.
    const builder = new EnvBuilder({ baseImage, installEnv: { npm_config_disturl: `${reg.base}/dist` } });
    const { out, probe } = await nativeRoundTrip(builder, reg.url, integrity, (image) =>
      createSandbox({ backend: 'docker', image, network: 'none' }),
    );
    expect(out).toMatch(/ok 1 - twice doubles natively/);
    expect(probe).toContain('addon.node');
    expect(probe).not.toMatch(/has (cc|gcc|make|headers)|\.o\n/);
    // The install fetched the one tarball the lockfile names, and nothing else (no headers, no other package).
    expect(reg.hits).toEqual(['/native-twice/-/native-twice-1.0.0.tgz']);
  });
});

describe.skipIf(await skipWithoutBwrap())('native npm dependencies on the local backend', () => {
  it("builds the addon with the host's toolchain and the runtime's headers; only /opt/deps is kept", async () => {
    await using cache = await tempDir();
    const { out, probe } = await nativeRoundTrip(
      new LocalEnvBuilder({ cacheDir: cache.path }),
      reg.url,
      integrity,
      (image) => new LocalBackend().create({ image, network: 'none' }),
    );
    expect(out).toMatch(/ok 1 - twice doubles natively/);
    expect(probe).toContain('addon.node');
    expect(probe).not.toMatch(/has headers|\.o\n/);
  });
});
