import { existsSync } from 'node:fs';
import { statfs as fsStatfs } from 'node:fs/promises';
import type Docker from 'dockerode';

/** Free space counts below this are a full disk (the last blocks go to metadata and the engine's own files). */
const FULL_BYTES = 16 * 1024 * 1024;

export type Statfs = (path: string) => Promise<{ bfree: number; bsize: number }>;

/** What a disk watch saw: the least free space under the engine's data root while it ran. */
export interface DiskWatch {
  /** Stops sampling (once; later calls return the same): the root and the least free bytes seen, if any. */
  stop(): Promise<{ root: string; minFreeBytes: number } | undefined>;
}

/**
 * Samples the free space of `root` every `intervalMs` until stopped. A failed build step's container is
 * removed before the build's error arrives, and its files with it, so the disk is no longer full when the
 * error is read: only a watch during the build can tell that it filled up.
 */
export function watchDisk(root: string, options: { intervalMs?: number; statfs?: Statfs } = {}): DiskWatch {
  const statfs = options.statfs ?? fsStatfs;
  let min: number | undefined;
  let pending: Promise<void> = Promise.resolve();
  const sample = () => {
    pending = statfs(root).then(
      (s) => {
        const free = s.bfree * s.bsize;
        min = min === undefined ? free : Math.min(min, free);
      },
      () => undefined, // a root we cannot stat tells nothing
    );
  };
  sample();
  const timer = setInterval(sample, options.intervalMs ?? 250);
  timer.unref();
  let stopped: ReturnType<DiskWatch['stop']> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        sample();
        await pending;
        return min === undefined ? undefined : { root, minFreeBytes: min };
      })();
      return stopped;
    },
  };
}

/** The engine's data root when the engine runs on this machine (a local socket), else undefined. */
export async function localDataRoot(docker: Docker): Promise<string | undefined> {
  const socket = (docker.modem as { socketPath?: unknown }).socketPath;
  if (typeof socket !== 'string' || !existsSync(socket)) return undefined;
  const root = ((await docker.info().catch(() => ({}))) as { DockerRootDir?: string }).DockerRootDir;
  return root && existsSync(root) ? root : undefined;
}

/** The hint for a build error when the watch saw the disk full. */
export function diskFullHint(seen: { root: string; minFreeBytes: number } | undefined): string {
  if (!seen || seen.minFreeBytes >= FULL_BYTES) return '';
  const mib = (seen.minFreeBytes / 1048576).toFixed(1);
  return ` (the engine's disk is full: ${mib} MiB were left under ${seen.root} during the build)`;
}
