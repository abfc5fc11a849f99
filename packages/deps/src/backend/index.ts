/**
 * `@repoforge/deps/backend`: where tests run, as one policy every tool shares. Its own entry because it loads
 * Docker's client (dockerode); the main entry does not.
 */
import { join } from 'node:path';
import {
  createSandbox,
  type ImageOps,
  LocalBackend,
  type Logger,
  type ReapLeftovers,
  reapLocalSandboxes,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { DockerBackend, reapSandboxes } from '@repoforge/sandbox/docker';
import { EnvBuilder, type EnvProvider } from '../build/env-builder.js';
import { LocalEnvBuilder } from '../build/local-env-builder.js';
import { DepsError } from '../errors.js';

export type BackendChoice = 'auto' | 'docker' | 'local';

/** Sandboxes and environments of one backend, for the harness, the miner and the demo. */
export interface BackendKit {
  name: 'docker' | 'local';
  /** Why it was chosen, for the user. */
  reason: string;
  createSandbox: (options: SandboxOptions) => Promise<Sandbox>;
  envs: EnvProvider;
  /**
   * Removes sandboxes killed earlier processes left: of one run id (see runEvaluation's reapLeftovers), or
   * without one every sandbox whose owner process is gone.
   */
  reapLeftovers: ReapLeftovers;
  /** The Docker builder (docker only): env sharing, slimming and image storage need images. */
  dockerBuilder?: EnvBuilder;
}

/**
 * The backend policy: Docker when asked or when an engine answers under `auto`; the local backend otherwise
 * (environments as directories on this machine, bubblewrap for isolation). Never an unisolated fallback: with
 * neither Docker nor bubblewrap it throws `BACKEND_UNAVAILABLE`, since tests are untrusted code and the harness
 * needs a private root for /testbed.
 */
export async function backendKit(
  choice: BackendChoice,
  options: {
    logger?: Logger;
    lockCacheDir?: string;
    /** The image engine (default Docker's; one with a registry shares environment images between machines). */
    images?: ImageOps;
  } = {},
): Promise<BackendKit> {
  const { logger } = options;
  if (choice === 'docker' || (choice === 'auto' && (await new DockerBackend().available()))) {
    // Lockfile-less repos keep their first install's lockfile here, so later builds reproduce it.
    const dockerBuilder = new EnvBuilder({
      logger,
      builder: options.images,
      lockCacheDir: options.lockCacheDir ?? join(process.cwd(), '.repoforge', 'locks'),
    });
    return {
      name: 'docker',
      reason: choice === 'docker' ? 'asked for' : 'a Docker engine answers',
      createSandbox: (o) => createSandbox({ backend: 'docker', ...o }),
      reapLeftovers: (o) => reapSandboxes(o),
      envs: dockerBuilder,
      dockerBuilder,
    };
  }
  const local = new LocalBackend({ logger });
  if (!(await local.isolated()))
    throw new DepsError(
      'BACKEND_UNAVAILABLE',
      choice === 'local'
        ? 'the local backend needs bubblewrap (bwrap) to run tests: none works here'
        : 'no Docker engine answers, and the local backend needs bubblewrap (bwrap), which does not work here',
    );
  return {
    name: 'local',
    reason: choice === 'local' ? 'asked for' : 'no Docker engine answers',
    createSandbox: (o) => local.create(o),
    reapLeftovers: (o) => reapLocalSandboxes({ signal: o.signal }),
    envs: new LocalEnvBuilder({ logger }),
  };
}
