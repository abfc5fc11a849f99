import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** A pure-Python wheel made here (zipfile), with a RECORD pip can verify. */
async function makeWheel(dir: string): Promise<string> {
  const files: Record<string, string> = {
    'tinycalc/__init__.py': 'def double(x):\n    return 2 * x\n',
    'tinycalc-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: tinycalc\nVersion: 1.0\n',
    'tinycalc-1.0.dist-info/WHEEL':
      'Wheel-Version: 1.0\nGenerator: repoforge-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const b64 = (s: string) => createHash('sha256').update(s).digest('base64url');
  files['tinycalc-1.0.dist-info/RECORD'] = `${Object.entries(files)
    .map(([p, c]) => `${p},sha256=${b64(c)},${Buffer.byteLength(c)}`)
    .join('\n')}\ntinycalc-1.0.dist-info/RECORD,,\n`;
  const wheel = join(dir, 'tinycalc-1.0-py3-none-any.whl');
  const py = `import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w")\nfor p, c in json.load(sys.stdin).items(): z.writestr(p, c)\nz.close()\n`;
  await new Promise<void>((resolve, reject) => {
    const child = execFile('python3', ['-c', py, wheel], (e) => (e ? reject(e) : resolve()));
    child.stdin!.end(JSON.stringify(files));
  });
  return wheel;
}

/** A PEP 503 "simple" index on loopback serving one wheel (install sandboxes share the host's network). */
async function serveIndex(wheel: string) {
  const body = await readFile(wheel);
  const name = 'tinycalc-1.0-py3-none-any.whl';
  const sha = createHash('sha256').update(body).digest('hex');
  const served = await serveRoutes({
    '/simple/tinycalc/': {
      type: 'text/html',
      body: `<html><body><a href="/files/${name}#sha256=${sha}">${name}</a></body></html>`,
    },
    [`/files/${name}`]: { body },
  });
  return { ...served, url: `${served.base}/simple` };
}

/** Plans a repo whose tests import a PyPI dependency, builds it with pip, runs the tests offline. */
async function pipRoundTrip(
  builder: EnvProvider,
  index: string,
  sandbox: (image: string) => Promise<Sandbox>,
) {
  await using root = await tempDir();
  const dir = join(root.path, 'acme', 'calc');
  const [oid] = await makeGitRepo(dir, [
    {
      message: 'calc',
      files: {
        'requirements.txt': 'tinycalc==1.0\n',
        'calc.py': 'from tinycalc import double\n\n\ndef quad(x):\n    return double(double(x))\n',
        'tests/__init__.py': '',
        // `testcalc.py`: unittest's discovery finds it; the planner sees no pytest (whose wheels are not served here).
        'tests/testcalc.py':
          'import unittest\n\nfrom calc import quad\n\n\nclass T(unittest.TestCase):\n    def test_quad(self):\n        self.assertEqual(quad(2), 8)\n',
      },
    },
  ]);
  const spec = await planEnv(await snapshotFromGit({ gitdir: join(dir, '.git'), oid: oid! }), {
    pythonInstall: 'pip',
    pipIndexUrl: index,
  });
  expect(spec.install).toMatchObject({ strategy: 'pip', requirements: ['tinycalc'], indexUrl: index });
  const env = await builder.ensure(spec);
  const work = await exportCommit(dir, oid!, root.path);
  await using sb = await sandbox(env.image);
  const out = await runInTestbed(sb, work, [...spec.preTest, renderTestCmd(spec.testCmd, [])]);
  return out;
}

let wheelDir: Awaited<ReturnType<typeof tempDir>>;
let index: Awaited<ReturnType<typeof serveIndex>>;
beforeAll(async () => {
  wheelDir = await tempDir();
  index = await serveIndex(await makeWheel(wheelDir.path));
});
afterAll(async () => {
  await index[Symbol.asyncDispose]();
  await wheelDir[Symbol.asyncDispose]();
});

describe.skipIf(await skipWithoutDocker())('pip installs on Docker', () => {
  it('installs the requirements from the configured index at build time; tests import them offline', async () => {
    const out = await pipRoundTrip(new EnvBuilder({ baseImage }), index.url, (image) =>
      createSandbox({ backend: 'docker', image, network: 'none' }),
    );
    expect(out).toMatch(/test_quad .*ok/);
    expect(out).toMatch(/\nOK\n/);
  });
});

describe.skipIf(await skipWithoutBwrap())('pip installs on the local backend', () => {
  it('pip --target into the environment dir, found through PYTHONPATH; tests import them offline', async () => {
    await using cache = await tempDir();
    const hits = index.hits.length;
    const out = await pipRoundTrip(new LocalEnvBuilder({ cacheDir: cache.path }), index.url, (image) =>
      new LocalBackend().create({ image, network: 'none' }),
    );
    expect(index.hits.slice(hits)).toContain('/files/tinycalc-1.0-py3-none-any.whl');
    expect(out).toMatch(/test_quad .*ok/);
    expect(out).toMatch(/\nOK\n/);
  });
});
