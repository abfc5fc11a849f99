import type Docker from 'dockerode';
import { callSignal } from './call-signal.js';
import { type DockerConnection, dockerClient, statusOf } from './docker/engine.js';
import { OWNER_HOST_LABEL, OWNER_PID_LABEL, RUN_ID_LABEL, SANDBOX_LABEL } from './docker/labels.js';
import { ownerAlive } from './local/local-reaper.js';

/** Which leftovers to remove. */
export interface ReapOptions {
  docker?: DockerConnection;
  /** Only this run's sandboxes (any owner state). */
  runId?: string;
  /** Also remove sandboxes whose owner process is still alive (e.g. `repoforge sandbox reap --all`). */
  includeLive?: boolean;
  signal?: AbortSignal;
}

/**
 * Removes sandbox containers a crashed run left behind: only containers with RepoForge's label, and of those
 * only the ones whose owner process on this host is gone (unless `runId` or `includeLive` says otherwise).
 * Returns the ids removed.
 */
export async function reapSandboxes(options: ReapOptions = {}): Promise<string[]> {
  const docker: Docker = dockerClient(options.docker);
  const filters = {
    label: [`${SANDBOX_LABEL}=1`, ...(options.runId ? [`${RUN_ID_LABEL}=${options.runId}`] : [])],
  };
  const list = await docker.listContainers({ all: true, filters, abortSignal: callSignal(options.signal) });
  const removed: string[] = [];
  for (const c of list) {
    options.signal?.throwIfAborted();
    if (
      !options.runId &&
      !options.includeLive &&
      ownerAlive(c.Labels[OWNER_HOST_LABEL], Number(c.Labels[OWNER_PID_LABEL]))
    )
      continue;
    try {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
      removed.push(c.Id);
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    }
  }
  return removed;
}
