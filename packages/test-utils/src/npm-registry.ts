import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Route, serveRoutes } from './serve.js';

const run = promisify(execFile);

/** A package to publish on the loopback registry: its package.json and its files. */
export interface NpmPackage {
  manifest: { name: string; version: string } & Record<string, unknown>;
  files: Record<string, string>;
}

/** An npm tarball of a package (files executable, so `bin` entries run). */
export async function packNpm(dir: string, pkg: NpmPackage): Promise<Buffer> {
  const root = join(dir, `${pkg.manifest.name}-${pkg.manifest.version}`, 'package');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify(pkg.manifest));
  for (const [f, text] of Object.entries(pkg.files)) await writeFile(join(root, f), text, { mode: 0o755 });
  const tgz = join(dir, `${pkg.manifest.name}-${pkg.manifest.version}.tgz`);
  await run('tar', ['-czf', tgz, '-C', join(root, '..'), 'package']);
  return readFile(tgz);
}

/**
 * An npm registry on loopback (packuments and tarballs, the last published version of a name as `latest`), for
 * install steps that run with network `host`. `publish` replaces what it serves (a version already published keeps
 * its tarball); `hits` records every request.
 */
export async function serveNpmRegistry(dir: string) {
  const routes: Record<string, Route> = {};
  const served = await serveRoutes(routes);
  // A published version never changes (tar output would: its mtimes), as on a real registry.
  const tarballs = new Map<string, Buffer>();
  const publish = async (pkgs: readonly NpmPackage[]) => {
    for (const key of Object.keys(routes)) delete routes[key];
    const docs = new Map<
      string,
      { name: string; versions: Record<string, unknown>; 'dist-tags': { latest?: string } }
    >();
    for (const pkg of pkgs) {
      const { name, version } = pkg.manifest;
      const key = `${name}@${version}`;
      const tgz = tarballs.get(key) ?? (await packNpm(dir, pkg));
      tarballs.set(key, tgz);
      const path = `/${name}/-/${name}-${version}.tgz`;
      routes[path] = { body: tgz };
      const doc = docs.get(name) ?? { name, versions: {}, 'dist-tags': {} };
      doc.versions[version] = {
        ...pkg.manifest,
        dist: { tarball: `${served.base}${path}`, shasum: createHash('sha1').update(tgz).digest('hex') },
      };
      doc['dist-tags'].latest = version;
      docs.set(name, doc);
    }
    for (const [name, doc] of docs)
      routes[`/${name}`] = { type: 'application/json', body: JSON.stringify(doc) };
  };
  return { ...served, publish };
}

/**
 * A planned Node environment (deps' EnvSpec shape) whose npm install reads from `registry`: a repo without a
 * lockfile depending on `dependencies`. The package name is unique, so no earlier build is reused.
 */
export function npmAppSpec(options: {
  registry: string;
  dependencies: Record<string, string>;
  node?: string;
  testCmd?: string;
}) {
  return {
    ecosystem: 'node' as const,
    runtime: { name: 'node' as const, version: options.node ?? '20.19.0' },
    systemPackages: ['git', 'patch', 'ca-certificates'],
    install: {
      strategy: 'npm' as const,
      files: {
        'package.json': JSON.stringify({
          name: `app-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
          version: '1.0.0',
          dependencies: options.dependencies,
        }),
        '.npmrc': `registry=${options.registry}/\n`,
      },
      command: 'npm install --no-audit --no-fund --ignore-scripts',
    },
    preTest: [] as string[],
    testCmd: options.testCmd ?? 'true',
    logParser: 'parse_log_tap',
    testRunner: 'custom',
    notes: [] as string[],
  };
}
