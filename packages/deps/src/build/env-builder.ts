import { createHash } from 'node:crypto';
import {
  createSandbox,
  DEFAULT_IMAGE,
  type ImageOps,
  installCa,
  type Logger,
  lazyImageBuilder,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { EnvSpec, memoAsync } from '@repoforge/schema';
import { DepsError } from '../errors.js';
import { type EnvPlan, envPlanHash } from '../spec.js';
import { runInstall } from './install-step.js';
import {
  aptDepsContext,
  NODE_HEADERS_DIR,
  runtimeContext,
  toolchainContext,
  toolsContext,
} from './runtime.js';

/** An environment image ready for tests. */
export interface BuiltEnv {
  image: string;
  hash: string;
  runtimeImage: string;
  /** True when the image already existed (shared with an earlier instance or run). */
  cached: boolean;
  /** Debian packages planned but not in the archive (their tests may fail). */
  missingPackages: string[];
  durationMs: number;
}

/** Whatever turns an EnvPlan into something sandboxes run in: Docker images (EnvBuilder) or local dirs. */
export interface EnvProvider {
  ensure(spec: EnvPlan, options?: { signal?: AbortSignal }): Promise<BuiltEnv>;
}

export interface EnvBuilderOptions {
  /** Default: Docker's, loaded on first use (importing deps never loads dockerode). */
  builder?: ImageOps;
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
  baseImage?: string;
  /** CA bundle mounted read-only into install steps (default: the host's; null: none). */
  caFile?: string | null;
  /** Where npm tarballs of runtimes are cached. */
  npmCacheDir?: string;
  /** Where lockfiles of lockfile-less repos' first successful installs are kept, by EnvPlan hash. */
  lockCacheDir?: string;
  /** Extra variables for install steps (a registry, a proxy: `npm_config_registry`, `PIP_INDEX_URL`, ...). */
  installEnv?: Record<string, string>;
  logger?: Logger;
}

/** Bumped whenever the layer recipe changes (v2: shared tools layer, executable node binary). */
const RECIPE_VERSION = 2;

/**
 * Builds environments in layers — base -> runtime (shared by every repo on that runtime) -> dependencies (keyed
 * by the EnvPlan hash) — and reuses any layer that already exists. The repo's source is never baked in.
 */
export class EnvBuilder implements EnvProvider {
  readonly builder: ImageOps;
  private readonly inflight = new Map<string, Promise<BuiltEnv>>();

  constructor(private readonly options: EnvBuilderOptions = {}) {
    this.builder = options.builder ?? lazyImageBuilder({ logger: options.logger });
  }

  /** The image tag an EnvPlan maps to. */
  static tagFor(spec: EnvPlan): string {
    // The recipe version is part of the identity: a change in how layers are built never reuses old images.
    return `repoforge/deps:${createHash('sha256')
      .update(`${RECIPE_VERSION}\0${envPlanHash(spec)}`)
      .digest('hex')
      .slice(0, 20)}`;
  }

  ensure(spec: EnvPlan, options: { signal?: AbortSignal } = {}): Promise<BuiltEnv> {
    const tag = EnvBuilder.tagFor(spec);
    return memoAsync(this.inflight, tag, () => this.build(spec, tag, options.signal));
  }

  private async build(spec: EnvPlan, tag: string, signal?: AbortSignal): Promise<BuiltEnv> {
    const started = performance.now();
    const hash = envPlanHash(spec);
    const base = this.options.baseImage ?? DEFAULT_IMAGE;
    const tools = toolsContext(base);
    const toolsImage = (
      await this.builder.build(
        { dockerfile: tools.dockerfile, labels: { 'repoforge.layer': 'tools' } },
        { signal },
      )
    ).tag;
    const rt = await runtimeContext(spec, toolsImage, { cacheDir: this.options.npmCacheDir });
    const runtime = (
      await this.builder.build(
        { dockerfile: rt.dockerfile, context: rt.context, labels: { 'repoforge.layer': 'runtime' } },
        { signal },
      )
    ).tag;
    const done = (cached: boolean, missing: string[]) => ({
      image: tag,
      hash,
      runtimeImage: runtime,
      cached,
      missingPackages: missing,
      durationMs: Math.round(performance.now() - started),
    });
    const cached = await this.builder.ensure(tag, () => this.produce(spec, runtime, tag, signal), { signal });
    return done(cached, await this.missing(tag, spec));
  }

  /** Builds the dependencies layer `tag` on `runtime` (apt packages, an install in a sandbox, or native addons). */
  private async produce(spec: EnvPlan, runtime: string, tag: string, signal?: AbortSignal): Promise<void> {
    const hash = envPlanHash(spec);
    const install = spec.install;
    if (install.strategy === 'apt') {
      const ctx = aptDepsContext(runtime, install.packages);
      await this.builder.build(
        {
          dockerfile: ctx.dockerfile,
          tag,
          labels: { 'repoforge.layer': 'deps', 'repoforge.env-hash': hash },
        },
        { signal },
      );
      return;
    }
    const native = 'native' in install && install.native?.length ? install.native : undefined;
    if (!native) return this.installInSandbox(spec, runtime, tag, signal);
    // Native addons: installed and built on the toolchain layer, then only /opt/deps is committed onto the
    // runtime layer (the compiler, headers and Python stay behind), streamed engine to engine.
    const tc = await toolchainContext(spec, runtime, { cacheDir: this.options.npmCacheDir });
    const toolchain = (
      await this.builder.build(
        { dockerfile: tc.dockerfile, context: tc.context, labels: { 'repoforge.layer': 'toolchain' } },
        { signal },
      )
    ).tag;
    await this.installInSandbox(spec, toolchain, tag, signal, {
      env: { npm_config_nodedir: NODE_HEADERS_DIR },
      onto: runtime,
    });
  }

  /** Packages the apt layer could not find (recorded in the image). */
  private async missing(tag: string, spec: EnvPlan): Promise<string[]> {
    if (spec.install.strategy !== 'apt') return [];
    const make =
      this.options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
    const sb = await make({ image: tag });
    try {
      const r = await sb.exec(['/bin/sh', '-c', 'cat /opt/repoforge-missing-packages 2>/dev/null; true']);
      return r.stdout.split('\n').filter(Boolean);
    } finally {
      await sb.close();
    }
  }

  private async installInSandbox(
    spec: EnvPlan,
    runtime: string,
    tag: string,
    signal?: AbortSignal,
    /** Extra install environment; `onto`: commit only /opt/deps onto this image instead of the whole sandbox. */
    native: { env?: Record<string, string>; onto?: string } = {},
  ): Promise<void> {
    const make =
      this.options.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
    const ca = installCa(this.options.caFile);
    const sb = await make({
      image: runtime,
      network: 'host', // the install step only; tests never get a network
      mounts: ca.mounts,
      env: { ...this.options.installEnv, ...native.env, ...ca.env },
      labels: { 'repoforge.purpose': 'deps-install' },
      signal,
    });
    try {
      if (!sb.commit) throw new DepsError('ENV_BUILD_FAILED', `the ${sb.backend} backend cannot save images`);
      await runInstall(sb, spec.install, {
        signal,
        lockCache: this.options.lockCacheDir
          ? { dir: this.options.lockCacheDir, key: envPlanHash(spec) }
          : undefined,
      });
      await sb.commit(tag, {
        labels: { 'repoforge.layer': 'deps', 'repoforge.env-hash': envPlanHash(spec) },
        ...(native.onto ? { only: { paths: ['/opt/deps'], onto: native.onto } } : {}),
        signal,
      });
    } finally {
      await sb.close();
    }
  }
}

/** The environment (schema's EnvSpec, what the harness runs) of a plan built into `image`. */
export function envSpecOf(plan: EnvPlan, image: string): EnvSpec {
  return EnvSpec.parse({
    image,
    pre_test: plan.preTest,
    test_cmd: plan.testCmd,
    log_parser: plan.logParser,
    ...(plan.junitXml ? { junit_xml: plan.junitXml } : {}),
    ...(plan.networkTests?.length ? { network_tests: plan.networkTests } : {}),
  });
}
