import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { callSignal } from '../call-signal.js';
import { SandboxError } from '../errors.js';
import { DEFAULT_IMAGE } from '../images.js';
import { parseBytes } from '../limits.js';
import type { Sandbox, SandboxBackend, SandboxOptions } from '../types.js';
import { DockerSandbox } from './docker-sandbox.js';
import { type DockerConnection, dockerClient, engineAnswers, pingEngine, statusOf } from './engine.js';
import { sandboxLabels } from './labels.js';

export { DEFAULT_IMAGE } from '../images.js';

// Capabilities hostile code has no use for; the rest of Docker's default set stays for ordinary tools.
const DROPPED_CAPS = ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP', 'SYS_CHROOT', 'NET_BIND_SERVICE'];
// PID 1's child: waits on stdin, which we hold open. When our process dies the engine closes it,
// the container exits and AutoRemove deletes it: a crash cannot leak containers.
const LIFELINE_CMD = ['/bin/sh', '-c', 'read _ 2>/dev/null; exit 0'];

function hostConfig(options: SandboxOptions): Docker.HostConfig {
  const l = options.limits ?? {};
  const memory = l.memory !== undefined ? parseBytes(l.memory, 'limits.memory') : undefined;
  const hc: Docker.HostConfig = {
    NetworkMode: options.network === 'host' ? 'host' : 'none',
    AutoRemove: true,
    Init: true,
    CapDrop: DROPPED_CAPS,
    SecurityOpt: ['no-new-privileges'],
    Memory: memory,
    MemorySwap: memory, // no swap beyond the limit
    NanoCpus: l.cpus !== undefined ? Math.round(l.cpus * 1e9) : undefined,
    PidsLimit: l.pids,
    Binds: options.mounts
      ? Object.entries(options.mounts).map(([host, dest]) => `${host}:${dest}:ro`)
      : undefined,
    Tmpfs: options.tmpfs,
  };
  if (l.disk !== undefined) hc.StorageOpt = { size: String(parseBytes(l.disk, 'limits.disk')) };
  return hc;
}

function createError(error: unknown, image: string): Error {
  const message = (error as Error)?.message ?? String(error);
  if (statusOf(error) === 404 && /image/i.test(message)) {
    return new SandboxError(
      'IMAGE_MISSING',
      `image ${image} is not on the engine (build or import it first)`,
      { cause: error },
    );
  }
  if (/storage-opt|StorageOpt|quota/i.test(message)) {
    return new SandboxError('LIMIT_UNSUPPORTED', `disk limit not supported by this engine's storage driver`, {
      cause: error,
    });
  }
  return new SandboxError('ENGINE_ERROR', `could not create a sandbox from ${image}: ${message}`, {
    cause: error,
  });
}

/** The Docker backend: one container per sandbox, network none by default, limits on, labelled. */
export class DockerBackend implements SandboxBackend {
  readonly name = 'docker';
  readonly docker: Docker;

  constructor(connection?: DockerConnection) {
    this.docker = dockerClient(connection);
  }

  available(): Promise<boolean> {
    return engineAnswers(this.docker);
  }

  async create(options: SandboxOptions = {}): Promise<Sandbox> {
    options.signal?.throwIfAborted();
    const image = options.image ?? DEFAULT_IMAGE;
    const workdir = options.workdir ?? '/workspace';
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: image,
        Cmd: LIFELINE_CMD,
        Entrypoint: [],
        WorkingDir: workdir,
        User: options.user,
        OpenStdin: true,
        StdinOnce: true,
        Labels: sandboxLabels(options.runId, options.labels),
        HostConfig: hostConfig(options),
        abortSignal: callSignal(options.signal),
      } as Docker.ContainerCreateOptions);
    } catch (error) {
      if (statusOf(error) === undefined) await pingEngine(this.docker);
      throw createError(error, image);
    }
    let lifeline: Duplex | undefined;
    let imageId: string | undefined;
    try {
      lifeline = (await container.attach({ stream: true, stdin: true, hijack: true })) as Duplex;
      lifeline.on('error', () => {});
      await container.start();
      // The image the container really runs (a tag names whatever was built last under it). A record, not a
      // precondition: an engine that cannot say leaves it unknown rather than failing the sandbox.
      imageId = await container.inspect().then(
        (info) => info.Image,
        () => undefined,
      );
    } catch (error) {
      lifeline?.destroy();
      await container.remove({ force: true }).catch(() => {});
      throw createError(error, image);
    }
    return new DockerSandbox(
      container,
      image,
      workdir,
      { env: options.env, user: options.user, pidsLimit: options.limits?.pids },
      lifeline,
      imageId,
      this.docker,
    );
  }
}
