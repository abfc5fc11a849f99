import Docker from 'dockerode';
import { SandboxError } from '../errors.js';

/** How to reach the engine: a dockerode instance, or options for one (default: $DOCKER_HOST or the socket). */
export type DockerConnection = Docker | Docker.DockerOptions | undefined;

/** Returns a dockerode client for the connection. */
export function dockerClient(connection?: DockerConnection): Docker {
  if (connection instanceof Docker) return connection;
  return new Docker(connection);
}

function describe(docker: Docker): string {
  const m = docker.modem as { socketPath?: string; host?: string; port?: number };
  return m.socketPath ? `unix://${m.socketPath}` : `${m.host}:${m.port}`;
}

/** Pings the engine; throws ENGINE_UNREACHABLE naming where it looked. */
export async function pingEngine(docker: Docker, timeoutMs = 3000, signal?: AbortSignal): Promise<void> {
  const ac = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
  try {
    await (docker as unknown as { ping(o: { abortSignal: AbortSignal }): Promise<unknown> }).ping({
      abortSignal: ac,
    });
  } catch (error) {
    signal?.throwIfAborted();
    throw new SandboxError('ENGINE_UNREACHABLE', `no Docker engine answers at ${describe(docker)}`, {
      cause: error,
    });
  }
}

/** Whether the engine answers (no throw). */
export async function engineAnswers(docker: Docker, timeoutMs = 2000): Promise<boolean> {
  try {
    await pingEngine(docker, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** The HTTP status of a dockerode error, if any. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
