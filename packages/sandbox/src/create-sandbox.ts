import { SandboxError } from './errors.js';
import { LocalBackend } from './local/local-backend.js';
import type { Sandbox, SandboxBackend, SandboxOptions } from './types.js';

/** The Docker backend, loaded on first use (its own chunk): importing this package never loads dockerode. */
async function dockerBackend(): Promise<SandboxBackend> {
  const { DockerBackend } = await import('./docker/docker-backend.js');
  return new DockerBackend();
}

/** The backends `auto` may pick from (tests inject their own). */
export interface BackendCandidates {
  docker: () => Promise<SandboxBackend>;
  local: () => SandboxBackend & Pick<LocalBackend, 'isolated'>;
}

const CANDIDATES: BackendCandidates = { docker: dockerBackend, local: () => new LocalBackend() };

/**
 * Resolves the backend an options object asks for. `auto` prefers Docker when an engine answers, else the
 * local backend only when it isolates (bubblewrap): untrusted code never runs unisolated because nothing else
 * answered. A caller who wants the local backend as it is asks for `local` by name.
 */
export async function resolveBackend(
  backend: SandboxOptions['backend'] = 'auto',
  candidates: BackendCandidates = CANDIDATES,
): Promise<SandboxBackend> {
  if (typeof backend === 'object') return backend;
  if (backend === 'docker') return dockerBackend();
  if (backend === 'local') return new LocalBackend();
  const docker = await candidates.docker();
  if (await docker.available()) return docker;
  const local = candidates.local();
  if (await local.isolated()) return local;
  throw new SandboxError(
    'BACKEND_UNAVAILABLE',
    "no isolated sandbox backend: no Docker engine answers and bubblewrap (bwrap) does not work here; ask for backend 'local' to run without isolation",
  );
}

/**
 * Creates a sandbox. With no backend given, Docker when an engine answers, else the local backend when
 * bubblewrap isolates it (see resolveBackend).
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const backend = await resolveBackend(options.backend);
  return backend.create(options);
}
