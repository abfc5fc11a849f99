import { type BackendChoice, type BackendKit, backendKit as kitOf } from '@repoforge/deps/backend';
import type { ImageOps, Logger } from '@repoforge/sandbox';
import { RepoForgeError } from '@repoforge/schema';
import { type OptionSpec, UsageError } from './command.js';

export type { BackendKit };

/** The `--backend` option of commands that run tests. */
export const BACKEND_OPTION: OptionSpec = {
  type: 'string',
  value: 'auto|docker|local',
  description: 'where tests run: auto = Docker when an engine answers, else the local backend',
  default: 'auto',
};

/** Parses `--backend` and applies @repoforge/deps' backend policy; no backend is a usage error with the fix. */
export async function backendKit(value: unknown, logger?: Logger, images?: ImageOps): Promise<BackendKit> {
  const choice = String(value ?? 'auto');
  if (!['auto', 'docker', 'local'].includes(choice))
    throw new UsageError(`--backend must be auto, docker or local (got '${choice}')`);
  try {
    return await kitOf(choice as BackendChoice, { logger, images });
  } catch (error) {
    if (error instanceof RepoForgeError && error.code === 'BACKEND_UNAVAILABLE')
      throw new UsageError(
        error.message,
        'run `bash tools/setup-docker.sh` (Docker) or `bash tools/setup-local.sh` (bubblewrap, python3-pytest)',
        { cause: error },
      );
    throw error;
  }
}
