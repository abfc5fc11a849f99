import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import {
  type ImageOps,
  installCa,
  type Logger,
  lazyImageBuilder,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import type { EnvSpec } from '@repoforge/schema';
import { memoAsync } from '@repoforge/schema';
import git from 'isomorphic-git';
import { HarnessError } from './errors.js';
import { materializeRepo } from './materialize.js';
import type { RepoLocation } from './repo-source.js';

export interface EnvImagesOptions {
  /** Default: Docker's, loaded on first use. */
  builder?: ImageOps;
  /** Creates the install sandbox (default: Docker). */
  createSandbox: (options: SandboxOptions) => Promise<Sandbox>;
  /** CA bundle mounted read-only into install steps (default: the host's, see `hostCaFile`). */
  caFile?: string | null;
  logger?: Logger;
}

/**
 * What a key file contributes to an install key: a file's contents, a directory's tree id (its whole
 * contents: a build of C sources is keyed by the sources), or that it is absent.
 */
async function keyContent(
  location: RepoLocation,
  commit: string,
  path: string,
): Promise<Uint8Array | string> {
  const at = { fs, gitdir: location.gitdir, oid: commit, filepath: path, cache: location.cache };
  try {
    return (await git.readBlob(at)).blob;
  } catch {
    try {
      return `<tree ${(await git.readTree(at)).oid}>`;
    } catch {
      return '<absent>';
    }
  }
}

/**
 * Environment images for instances: the spec's image or Dockerfile (built once by content hash), plus, when
 * the spec has install steps, an image with them done, keyed by the base image, the steps and the contents of
 * the key files (or directories) at the instance's commit — so nearby commits with the same dependencies
 * share one image.
 */
export class EnvImages {
  private readonly builder: ImageOps;
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly options: EnvImagesOptions) {
    this.builder = options.builder ?? lazyImageBuilder({ logger: options.logger });
  }

  private async baseImage(spec: EnvSpec, signal?: AbortSignal): Promise<string> {
    if (spec.image) return this.pulled(spec.image, signal);
    try {
      // Layered: recipes start alike (Debian's Python, shared stacks), and workers building two at once share those layers.
      return (await this.builder.build({ dockerfile: spec.dockerfile! }, { signal, layered: true })).tag;
    } catch (error) {
      throw new HarnessError(
        'ENV_BUILD_FAILED',
        `building the environment failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** `image`, pulled through the engine first when it is not there (once per image, shared by callers). */
  private pulled(image: string, signal?: AbortSignal): Promise<string> {
    const key = `pull\0${image}`;
    return memoAsync(this.inflight, key, async () => {
      // A local environment directory (the local backend) is no registry image.
      if (image.startsWith('/') || image.startsWith('.')) return image;
      // No engine to ask: the sandbox backend will say what is wrong with the image, if anything.
      const present = await this.builder.exists(image).catch(() => true);
      if (present) return image;
      this.options.logger?.info('pulling image', { image });
      let last = 0;
      await this.builder
        .pull(image, {
          signal,
          onProgress: (event) => {
            // A line at most every 10 s: a pull of gigabytes is minutes, never silent, never a flood.
            if (event.type !== 'working' || Date.now() - last < 10_000) return;
            last = Date.now();
            this.options.logger?.info('pulling', { image, progress: event.what });
          },
        })
        .catch((error) => {
          throw new HarnessError('IMAGE_PULL_FAILED', (error as Error).message, { cause: error });
        });
      this.options.logger?.info('image pulled', { image });
      return image;
    });
  }

  /** The install key: what decides whether two instances can share the installed image. */
  async installKey(spec: EnvSpec, base: string, location: RepoLocation, commit: string): Promise<string> {
    const h = createHash('sha256').update(`${base}\0${JSON.stringify(spec.install)}\0`);
    for (const filepath of spec.install_key_files)
      h.update(`${filepath}\0`).update(await keyContent(location, commit, filepath));
    return h.digest('hex');
  }

  /** The image an instance's tests run in (built or reused). */
  async imageFor(
    spec: EnvSpec,
    instance: { instance_id: string; base_commit: string; environment_setup_commit?: string },
    location: RepoLocation | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const base = await this.baseImage(spec, signal);
    if (spec.install.length === 0) return base;
    if (!location) throw new HarnessError('ENV_BUILD_FAILED', 'install steps need the repo');
    const key = await this.installKey(spec, base, location, instance.base_commit);
    const tag = `repoforge/env-installed:${key.slice(0, 20)}`;
    return memoAsync(this.inflight, tag, async () => {
      const install = () => this.installHere(spec, base, tag, instance, location, signal);
      await this.builder.ensure(tag, install, { signal });
      return tag;
    });
  }

  /** Runs the install steps on `base` in a sandbox and commits the result as `tag`. */
  private async installHere(
    spec: EnvSpec,
    base: string,
    tag: string,
    instance: { instance_id: string; base_commit: string },
    location: RepoLocation,
    signal?: AbortSignal,
  ): Promise<void> {
    const ca = installCa(this.options.caFile);
    const sb = await this.options.createSandbox({
      image: base,
      network: 'host', // install steps only; tests never get a network
      mounts: ca.mounts,
      env: ca.env,
      labels: { 'repoforge.purpose': 'env-install' },
      signal,
    });
    try {
      if (!sb.commit)
        throw new HarnessError(
          'ENV_BUILD_FAILED',
          `the ${sb.backend} backend cannot save images; install steps need Docker`,
        );
      await materializeRepo(sb, location, instance.base_commit, '/testbed', signal);
      const log: string[] = [];
      for (const step of spec.install) {
        const r = await sb.exec(['/bin/bash', '-c', `cd /testbed && ${step}`], {
          timeoutMs: 1_800_000,
          signal,
          user: '0',
        });
        log.push(`$ ${step}\n${r.stdout}${r.stderr}`);
        if (r.exitCode !== 0) {
          throw new HarnessError(
            'ENV_BUILD_FAILED',
            `install step failed (exit ${r.exitCode}) for ${instance.instance_id}: ${step}\n${log.join('\n').slice(-2000)}`,
          );
        }
      }
      // The repo's source is never baked into an environment: it is materialized per run.
      await sb.exec(['rm', '-rf', '/testbed', '/root/.npm', '/root/.cache'], { user: '0' });
      await sb.commit(tag, { labels: { 'repoforge.image': '1', 'repoforge.env-install': '1' } });
      this.options.logger?.info('environment installed', { tag, instance: instance.instance_id });
    } finally {
      await sb.close();
    }
  }
}
