import { SandboxError } from './errors.js';
import { LocalBackend } from './local/local-backend.js';
import type { Sandbox, SandboxBackend, SandboxOptions } from './types.js';

/** The Docker backend, loaded on first use (its own chunk): importing this package never loads dockerode. */
async function dockerBackend(): Promise<SandboxBackend> {
  const { DockerBackend } = await import('./docker/docker-backend.js');
  return new DockerBackend();
}

/** Resolves the backend an options object asks for; `auto` prefers Docker when an engine answers. */
export async function resolveBackend(backend: SandboxOptions['backend'] = 'auto'): Promise<SandboxBackend> {
  if (typeof backend === 'object') return backend;
  if (backend === 'docker') return dockerBackend();
  if (backend === 'local') return new LocalBackend();
  const docker = await dockerBackend();
  if (await docker.available()) return docker;
  const local = new LocalBackend();
  if (await local.available()) return local;
  throw new SandboxError(
    'BACKEND_UNAVAILABLE',
    'no sandbox backend is available (no Docker engine, no local shell)',
  );
}

/**
 * Creates a sandbox. With no backend given, Docker when an engine answers, else the local backend
 * (weaker isolation; see the README).
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const backend = await resolveBackend(options.backend);
  return backend.create(options);
}
