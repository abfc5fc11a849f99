import { join } from 'node:path';
import { EnvBuilder, type EnvProvider, LocalEnvBuilder } from '@repoforge/deps';
import {
  createSandbox,
  LocalBackend,
  type Logger,
  type ReapLeftovers,
  reapLocalSandboxes,
  type Sandbox,
  type SandboxOptions,
} from '@repoforge/sandbox';
import { DockerBackend, reapSandboxes } from '@repoforge/sandbox/docker';
import { type OptionSpec, UsageError } from './command.js';

/** The `--backend` option of commands that run tests. */
export const BACKEND_OPTION: OptionSpec = {
  type: 'string',
  value: 'auto|docker|local',
  description: 'where tests run: auto = Docker when an engine answers, else the local backend',
  default: 'auto',
};

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
 * Resolves `--backend`: Docker when asked or when an engine answers under `auto`; the local backend otherwise
 * (environments as directories on this machine, bubblewrap for isolation — refused without it, since the
 * harness needs a private root for /testbed).
 */
export async function backendKit(value: unknown, logger?: Logger): Promise<BackendKit> {
  const choice = String(value ?? 'auto');
  if (!['auto', 'docker', 'local'].includes(choice))
    throw new UsageError(`--backend must be auto, docker or local (got '${choice}')`);
  if (choice === 'docker' || (choice === 'auto' && (await new DockerBackend().available()))) {
    // Lockfile-less repos keep their first install's lockfile here, so later builds reproduce it.
    const dockerBuilder = new EnvBuilder({
      logger,
      lockCacheDir: join(process.cwd(), '.repoforge', 'locks'),
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
    throw new UsageError(
      choice === 'local'
        ? 'the local backend needs bubblewrap (bwrap) to run tests: none works here'
        : 'no Docker engine answers, and the local backend needs bubblewrap (bwrap), which does not work here',
      'run `bash tools/setup-docker.sh` (Docker) or `bash tools/setup-local.sh` (bubblewrap, python3-pytest)',
    );
  return {
    name: 'local',
    reason: choice === 'local' ? 'asked for' : 'no Docker engine answers',
    createSandbox: (o) => local.create(o),
    reapLeftovers: (o) => reapLocalSandboxes({ signal: o.signal }),
    envs: new LocalEnvBuilder({ logger }),
  };
}
