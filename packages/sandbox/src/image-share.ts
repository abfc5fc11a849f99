import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { callSignal } from './call-signal.js';
import type { Logger } from './types.js';

/**
 * Serializes the production of one image across processes and machines: while one holder builds, the others
 * wait, then find the image in the registry. A Redis lease (`@repoforge/harness`'s `redisBuildLease`) or any
 * other lock service.
 */
export interface BuildLease {
  /** Runs `fn` while holding the lease on `key`; waits while another holder has it. */
  hold<T>(key: string, fn: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
}

/** Where built environment images are shared (`host:port/prefix`), and how builds of one image are serialized. */
export interface ImageRegistryOptions {
  /** `host:port/prefix`: RepoForge's images go to `<registry>/<name>:<tag>` (e.g. `127.0.0.1:5000/repoforge/deps:…`). */
  registry: string;
  /** Without one, two machines that need a missing image at once may both build it (the content is the same). */
  lease?: BuildLease;
  /** Credentials in the engine's form (default: the user's Docker config, if it has any for the registry). */
  auth?: { username?: string; password?: string; auth?: string; serveraddress: string };
}

/** What sharing did in this process: tags pulled from the registry, pushed to it, and built here. */
export interface ShareStats {
  pulled: string[];
  pushed: string[];
  built: string[];
}

/** Whether `value` names a registry and path prefix images can be pushed under (`host[:port][/prefix...]`). */
export function isRegistryRef(value: string): boolean {
  return (
    /^[a-z0-9.-]+(:\d{1,5})?(\/[a-z0-9._-]+)*\/?$/.test(value) &&
    /[.:]|^localhost\b/.test(value.split('/')[0]!)
  );
}

/** Only RepoForge's own content-addressed images are shared; a base image such as `python:3.11` is not ours to push. */
export function isShareable(tag: string): boolean {
  return tag.startsWith('repoforge/') && !tag.startsWith('repoforge/base:');
}

/** `repoforge/deps:abc` -> `<registry>/deps:abc`. */
export function remoteRefOf(registry: string, tag: string): string {
  return `${registry.replace(/\/+$/, '')}/${tag.slice('repoforge/'.length)}`;
}

function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.lastIndexOf(':');
  return at > ref.lastIndexOf('/')
    ? { repo: ref.slice(0, at), tag: ref.slice(at + 1) }
    : { repo: ref, tag: 'latest' };
}

/** Follows an engine progress stream; resolves with the first error it reported, if any. */
function follow(docker: Docker, stream: Readable): Promise<string | undefined> {
  let failure: string | undefined;
  return new Promise((resolve) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => resolve(failure ?? err?.message),
      (event: { error?: string }) => {
        if (event.error) failure ??= event.error;
      },
    );
  });
}

/** A registry's answer for an image it does not hold (vs. one that could not be asked). */
function isNotFound(message: string): boolean {
  return /manifest unknown|not found|404/i.test(message);
}

/**
 * Pull-through and push of environment images against one registry, keyed by the content-hash tags the
 * builders already use: an image built and verified on one machine is pulled, not built, on every other.
 * A registry that does not answer never fails a build: the image is built here, and the log says why.
 */
export class ImageShare {
  readonly stats: ShareStats = { pulled: [], pushed: [], built: [] };
  private readonly pushedIds = new Set<string>();

  constructor(
    private readonly docker: Docker,
    readonly options: ImageRegistryOptions,
    /** Credentials for a reference when the options give none (the builder reads the user's Docker config). */
    private readonly authFor: (ref: string) => Promise<ImageRegistryOptions['auth']>,
    private readonly logger?: Logger,
  ) {}

  private async auth(remote: string): Promise<object> {
    // The engine refuses a push without an X-Registry-Auth header, even to a registry that needs none.
    const auth = this.options.auth ??
      (await this.authFor(remote)) ?? { serveraddress: remote.split('/')[0]! };
    return { authconfig: auth };
  }

  /** Pulls `tag` from the registry and names it `tag` here; false when the registry has no such image. */
  async fetch(tag: string, signal?: AbortSignal): Promise<boolean> {
    if (!isShareable(tag)) return false;
    const remote = remoteRefOf(this.options.registry, tag);
    let failure: string | undefined;
    const stream = (await this.docker
      .pull(remote, { ...(await this.auth(remote)), abortSignal: callSignal(signal) })
      .catch((error: Error) => {
        failure = error.message;
      })) as Readable | undefined;
    if (stream) failure = await follow(this.docker, stream);
    signal?.throwIfAborted();
    if (failure) {
      if (!isNotFound(failure))
        this.logger?.warn('the environment registry did not answer; building here', { remote, failure });
      return false;
    }
    await this.docker.getImage(remote).tag(splitRef(tag));
    const info = await this.docker.getImage(tag).inspect();
    // Only the local name stays: the remote tag and the pull's digest reference would keep the image alive
    // after its local tag is removed.
    const remoteRepo = splitRef(remote).repo;
    const digests = (info.RepoDigests ?? []).filter((d) => d.startsWith(`${remoteRepo}@`));
    for (const ref of [remote, ...digests])
      await this.docker
        .getImage(ref)
        .remove({ noprune: true })
        .catch(() => {});
    // The registry has it: nothing to push back.
    this.pushedIds.add(`${tag}\0${info.Id}`);
    this.stats.pulled.push(tag);
    this.logger?.info('environment image pulled from the registry', { tag, remote });
    return true;
  }

  /**
   * Pushes a local image to the registry, once per image id and process (a push of layers the registry holds
   * is only their existence checks); a failed push is logged, not thrown.
   */
  async publish(tag: string, signal?: AbortSignal): Promise<void> {
    if (!isShareable(tag)) return;
    const id = (await this.docker.getImage(tag).inspect()).Id;
    if (this.pushedIds.has(`${tag}\0${id}`)) return;
    const remote = remoteRefOf(this.options.registry, tag);
    await this.docker.getImage(tag).tag(splitRef(remote));
    try {
      const stream = (await this.docker
        .getImage(remote)
        .push({ ...(await this.auth(remote)), abortSignal: callSignal(signal) })) as unknown as Readable;
      const failure = await follow(this.docker, stream);
      signal?.throwIfAborted();
      if (failure) {
        this.logger?.warn('pushing an environment image failed; other machines will build it', {
          remote,
          failure,
        });
        return;
      }
      this.pushedIds.add(`${tag}\0${id}`);
      this.stats.pushed.push(tag);
      this.logger?.info('environment image pushed to the registry', { tag, remote });
    } catch (error) {
      signal?.throwIfAborted();
      this.logger?.warn('pushing an environment image failed; other machines will build it', {
        remote,
        failure: (error as Error).message,
      });
    } finally {
      await this.docker
        .getImage(remote)
        .remove({ noprune: true })
        .catch(() => {});
    }
  }

  /** Runs `fn` under the lease on `key`, when there is a lease. */
  leased<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.options.lease ? this.options.lease.hold(key, fn, { signal }) : fn();
  }
}
