import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { memoAsync, type OnProgress } from '@repoforge/schema';
import { readJsonFile } from '@repoforge/schema/node';
import type Docker from 'dockerode';
import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { callSignal } from './call-signal.js';
import { type DiskWatch, diskFullHint, localDataRoot, watchDisk } from './docker/disk-watch.js';
import { type DockerConnection, dockerClient, statusOf } from './docker/engine.js';
import { dockerfileLayerPrefixes } from './dockerfile-layers.js';
import { SandboxError } from './errors.js';
import { type ImageRegistryOptions, ImageShare, type ShareStats } from './image-share.js';
import { tarFiles } from './tar.js';
import type { Logger } from './types.js';

/** What to build: a Dockerfile's text and its context (files in memory, or a host directory). */
export interface ImageSpec {
  dockerfile: string;
  /** In-memory files (a `{ content, mode }` entry sets the file mode, e.g. 0o755 for a binary) or a host dir. */
  context?: Record<string, string | Uint8Array | { content: string | Uint8Array; mode: number }> | string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Tag to use instead of `<repository>:<hash>`; the content hash still decides reuse. */
  tag?: string;
}

/** One build request: the spec, its context files, content hash and tag. */
interface BuildJob {
  spec: ImageSpec;
  files: [string, Uint8Array, number?][];
  hash: string;
  tag: string;
  options: { signal?: AbortSignal; onProgress?: OnProgress };
}

/** A built (or reused) image. */
export interface BuildResult {
  tag: string;
  hash: string;
  /** True when an image with this content hash already existed and nothing was built. */
  cached: boolean;
  durationMs: number;
  log: string;
}

export interface ImageBuilderOptions {
  docker?: DockerConnection;
  /** Repository of content-addressed tags (default `repoforge/env`). */
  repository?: string;
  /** Builds at once (default 2). */
  concurrency?: number;
  /** Network of RUN steps: `host` (default; installs need it) or `none`. */
  network?: 'host' | 'none';
  /** Share built images through a registry: pulled instead of built when there, pushed once built. */
  registry?: ImageRegistryOptions;
  logger?: Logger;
}

async function contextFiles(context: ImageSpec['context']): Promise<[string, Uint8Array, number?][]> {
  if (!context) return [];
  if (typeof context !== 'string') {
    return Object.entries(context).map(([p, c]) => {
      if (typeof c === 'string' || c instanceof Uint8Array)
        return [p, typeof c === 'string' ? Buffer.from(c) : c];
      return [p, typeof c.content === 'string' ? Buffer.from(c.content) : c.content, c.mode];
    });
  }
  const out: [string, Uint8Array, number?][] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push([relative(context, p), await readFile(p)]);
    }
  };
  await walk(context);
  return out;
}

/**
 * What the build's own output says went wrong, for the error message: the engine's error names only the step
 * and its exit code, while the step's stderr (in the log) says why — e.g. apt's "No space left on device".
 */
export function buildLogHint(log: string): string {
  const lines = log
    .split('\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the engine colours a step's stderr with ANSI codes
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  const full = lines.find((l) => /no space left on device/i.test(l));
  if (full) return ` (the engine's disk is full: ${full.slice(0, 300)})`;
  const tail = lines.slice(-3).join(' | ');
  return tail ? ` (last output: ${tail.slice(-400)})` : '';
}

/**
 * The hint of a failed build's error: the full disk when the step's output or the engine's error says so, or
 * when the disk watch saw it fill up (the engine cannot always write the step's output then); else the output.
 */
export function buildFailureHint(
  failure: string,
  log: string,
  seen?: { root: string; minFreeBytes: number },
): string {
  const fromLog = buildLogHint(log);
  if (/no space left on device/i.test(failure) || fromLog.includes('disk is full')) return fromLog;
  return diskFullHint(seen) || fromLog;
}

/** The content hash of a spec: Dockerfile, context files (sorted) and build args. Pure. */
export function imageSpecHash(
  dockerfile: string,
  files: readonly (readonly [string, Uint8Array, number?])[],
  buildArgs: Record<string, string> = {},
): string {
  const h = createHash('sha256');
  h.update(`dockerfile\0${dockerfile}\0`);
  for (const [p, c, mode] of [...files].sort(([a], [b]) => (a < b ? -1 : 1)))
    h.update(`file\0${p}\0${mode ?? ''}\0${c.byteLength}\0`).update(c);
  for (const [k, v] of Object.entries(buildArgs).sort()) h.update(`arg\0${k}\0${v}\0`);
  return h.digest('hex');
}

/**
 * Builds images tagged by content hash, so identical specs build once (also across processes and machines
 * that share nothing but the spec). Builds run with a concurrency limit; the same spec requested twice at
 * once builds once.
 */
export class ImageBuilder {
  readonly docker: Docker;
  private readonly limit: LimitFunction;
  private readonly inflight = new Map<string, Promise<BuildResult>>();
  private dataRoot?: Promise<string | undefined>;
  private readonly share?: ImageShare;

  constructor(private readonly options: ImageBuilderOptions = {}) {
    this.docker = dockerClient(options.docker);
    this.limit = pLimit(options.concurrency ?? 2);
    if (options.registry)
      this.share = new ImageShare(
        this.docker,
        options.registry,
        (ref) => registryAuthFor(ref),
        options.logger,
      );
  }

  /** Images pulled from the shared registry, pushed to it, and built here (empty lists without a registry). */
  get shareStats(): ShareStats {
    return this.share?.stats ?? { pulled: [], pushed: [], built: [] };
  }

  /** Removes an image (forced); an image that is not there is no error. */
  async remove(tag: string): Promise<void> {
    await this.docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => {});
  }

  /** Whether an image exists on the engine (pulled from the shared registry first, when it is there). */
  async exists(tag: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return (await this.share?.fetch(tag, options.signal)) ?? false;
  }

  /**
   * Makes sure `tag` exists: here, or pulled from the shared registry, or else made by `produce` (an install
   * committed from a sandbox) and then pushed — under the build lease, so that machines racing for one
   * image produce it once. Resolves true when nothing had to be produced.
   */
  async ensure(
    tag: string,
    produce: () => Promise<void>,
    options: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const share = this.share;
    if (await this.exists(tag, options)) {
      // Made here before sharing was on: pushed once per process, so other machines pull it too.
      await share?.publish(tag, options.signal);
      return true;
    }
    if (!share) return produce().then(() => false);
    // Its own key: the builds inside `produce` take the lease of their tag, and a lease is not reentrant.
    return share.leased(
      `ensure:${tag}`,
      async () => {
        if (await this.exists(tag, options)) return true;
        await produce();
        if (!share.stats.built.includes(tag)) share.stats.built.push(tag);
        await share.publish(tag, options.signal);
        return false;
      },
      options.signal,
    );
  }

  /**
   * Pulls `ref` from its registry through the engine (each layer's progress a `working` event with id `ref`), with credentials
   * from the user's Docker config when it has them for that registry. Resolves when the image is present.
   */
  async pull(
    ref: string,
    options: { signal?: AbortSignal; onProgress?: OnProgress; auth?: RegistryAuth } = {},
  ): Promise<void> {
    const auth = options.auth ?? (await registryAuthFor(ref));
    let failure: string | undefined;
    const stream = (await this.docker
      .pull(ref, { ...(auth ? { authconfig: auth } : {}), abortSignal: callSignal(options.signal) })
      .catch((error: Error) => {
        failure = error.message;
      })) as Readable | undefined;
    if (!stream) throw new SandboxError('PULL_FAILED', `pulling ${ref} failed: ${failure}`);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { status?: string; id?: string; progress?: string; error?: string }) => {
          if (event.error) failure = event.error;
          else if (event.status)
            options.onProgress?.({
              type: 'working',
              id: ref,
              what: [event.id, event.status, event.progress].filter(Boolean).join(' '),
            });
        },
      );
    }).catch((error) => {
      failure ??= String(error);
    });
    if (failure) throw new SandboxError('PULL_FAILED', `pulling ${ref} failed: ${failure}`);
  }

  /**
   * Builds `spec` (or finds it built). `layered`: when the image is not there, the Dockerfile's RUN-ending
   * prefixes are built first, each as an image (see dockerfileLayerPrefixes), so that concurrent builds of
   * Dockerfiles that start alike build their common layers once and share them.
   */
  async build(
    spec: ImageSpec,
    options: { signal?: AbortSignal; onProgress?: OnProgress; layered?: boolean } = {},
  ): Promise<BuildResult> {
    const files = await contextFiles(spec.context);
    const hash = imageSpecHash(spec.dockerfile, files, spec.buildArgs);
    const tag = spec.tag ?? `${this.options.repository ?? 'repoforge/env'}:${hash.slice(0, 20)}`;
    const key = `${hash}\0${tag}`;
    if (options.layered && !this.inflight.has(key) && !(await this.exists(tag, options))) {
      const { signal, onProgress } = options;
      for (const dockerfile of dockerfileLayerPrefixes(spec.dockerfile))
        await this.build({ ...spec, dockerfile, tag: undefined }, { signal, onProgress });
    }
    // Shared while pending only: once built, `exists` answers (an image can be removed under us).
    return memoAsync(
      this.inflight,
      key,
      () => this.limit(() => this.buildNow({ spec, files, hash, tag, options })),
      () => false,
    );
  }

  private async buildNow(job: BuildJob): Promise<BuildResult> {
    const { spec, hash, tag, options } = job;
    const started = performance.now();
    const reusable = async () =>
      (await this.exists(tag, options)) &&
      (spec.tag === undefined ||
        (await this.docker.getImage(tag).inspect()).Config?.Labels?.['repoforge.spec-hash'] === hash);
    const cached = () => ({
      tag,
      hash,
      cached: true,
      durationMs: Math.round(performance.now() - started),
      log: '',
    });
    const share = this.share;
    if (await reusable()) {
      await share?.publish(tag, options.signal);
      return cached();
    }
    const build = () => this.buildHere(job);
    if (!share) return build();
    return share.leased(
      tag,
      async () => {
        if (await reusable()) return cached();
        const result = await build();
        share.stats.built.push(tag);
        await share.publish(tag, options.signal);
        return result;
      },
      options.signal,
    );
  }

  /** Builds on the engine, whatever exists (the caller decided that it must be built). */
  private async buildHere({ spec, files, hash, tag, options }: BuildJob): Promise<BuildResult> {
    const started = performance.now();
    const tar = await tarFiles([
      { path: '/Dockerfile.repoforge', content: spec.dockerfile },
      ...files.map(([path, content, mode]) => ({ path: `/${path}`, content, mode })),
    ]);
    // Watched so that a build failing on a full disk says so, even when the step could not write its output.
    const root = await this.engineDataRoot();
    const watch: DiskWatch | undefined = root ? watchDisk(root) : undefined;
    const { log: text, failure } = await this.runBuild(spec, tar, hash, tag, options).finally(() =>
      watch?.stop(),
    );
    if (failure) {
      const hint = buildFailureHint(failure, text, await watch?.stop());
      const err = new SandboxError('BUILD_FAILED', `building ${tag} failed: ${failure}${hint}`);
      throw Object.assign(err, { log: text });
    }
    this.options.logger?.info('image built', { tag, ms: Math.round(performance.now() - started) });
    return { tag, hash, cached: false, durationMs: Math.round(performance.now() - started), log: text };
  }

  /** The engine's data root when it runs on this machine (asked again while unknown: the engine may be down). */
  private async engineDataRoot(): Promise<string | undefined> {
    this.dataRoot ??= localDataRoot(this.docker);
    const root = await this.dataRoot;
    if (!root) this.dataRoot = undefined;
    return root;
  }

  /** Streams one build: its output and the engine's error, if any. */
  private async runBuild(
    spec: ImageSpec,
    tar: Buffer,
    hash: string,
    tag: string,
    options: { signal?: AbortSignal; onProgress?: OnProgress },
  ): Promise<{ log: string; failure?: string }> {
    const stream = (await this.docker.buildImage(
      tar as unknown as Readable,
      {
        t: tag,
        dockerfile: 'Dockerfile.repoforge',
        networkmode: this.options.network ?? 'host',
        buildargs: spec.buildArgs,
        labels: { ...spec.labels, 'repoforge.image': '1', 'repoforge.spec-hash': hash },
        rm: true,
        forcerm: true,
        abortSignal: callSignal(options.signal),
      } as Docker.ImageBuildOptions,
    )) as Readable;
    const log: string[] = [];
    let failure: string | undefined;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
          const line = event.stream ?? event.status ?? '';
          if (line) {
            log.push(line);
            options.onProgress?.({ type: 'working', id: tag, what: line.trimEnd() });
          }
          if (event.error) failure = event.errorDetail?.message ?? event.error;
        },
      );
    }).catch((error) => {
      failure ??= String(error);
    });
    return { log: log.join(''), failure };
  }

  /**
   * Imports a root filesystem tarball as an image (`docker import`), the way registry-less machines get a
   * base image (tools/setup-docker.sh). `changes` are Dockerfile instructions such as `ENV PATH=...`.
   */
  async importRootfs(
    tar: Readable | Buffer,
    tag: string,
    options: { changes?: string[]; signal?: AbortSignal } = {},
  ): Promise<string> {
    const [repo, version = 'latest'] = tag.split(/:(?=[^/]+$)/);
    const stream = (await (
      this.docker as unknown as { importImage(f: unknown, o: unknown): Promise<unknown> }
    ).importImage(
      tar as Readable,
      {
        repo,
        tag: version,
        changes: options.changes,
        abortSignal: callSignal(options.signal),
      } as never,
    )) as Readable;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
    );
    const info = await this.docker.getImage(tag).inspect();
    return info.Id;
  }
}

/** Registry credentials in the engine's form. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress: string;
}

/** The registry host of an image reference (`docker.io` when it names none). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** The part of Docker's client config RepoForge reads. */
const DockerConfig = z.looseObject({
  auths: z.record(z.string(), z.looseObject({ auth: z.string().optional() })).optional(),
});

/** Credentials for `ref`'s registry from `$DOCKER_CONFIG/config.json` (or ~/.docker), if it has any. */
export async function registryAuthFor(
  ref: string,
  configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
): Promise<RegistryAuth | undefined> {
  const config = await readJsonFile(join(configDir, 'config.json'), DockerConfig).catch(() => undefined);
  if (!config) return undefined;
  const auths = config.auths ?? {};
  const registry = registryOf(ref);
  const keys =
    registry === 'docker.io'
      ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io']
      : [registry, `https://${registry}`, `http://${registry}`];
  const entry = keys.map((k) => auths[k]).find((e) => e?.auth);
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: keys[0]! };
}
