/**
 * A second Docker engine on its own socket, data root and exec root, so the chaos bench can stop and start it
 * mid-run without touching the engine every other test and job uses.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { sleep, waitFor } from './world.ts';

const exec = promisify(execFile);
const BASE = '/run/repoforge-chaos';

export const CHAOS_DOCKER_HOST = `unix://${BASE}/docker.sock`;

async function answers(): Promise<boolean> {
  try {
    await exec('docker', ['-H', CHAOS_DOCKER_HOST, 'version', '--format', '{{.Server.Version}}'], {
      timeout: 3000,
    });
    return true;
  } catch {
    return false;
  }
}

const DEFAULT_DATA_ROOT = '/var/lib/repoforge-chaos-docker';

/** Starts the second engine (idempotent: one that answers is kept) and waits until it answers. */
export async function startChaosEngine(dataRoot = DEFAULT_DATA_ROOT): Promise<void> {
  if (await answers()) return;
  await mkdir(`${BASE}/exec`, { recursive: true });
  const child = spawn(
    'dockerd',
    [
      `--host=${CHAOS_DOCKER_HOST}`,
      `--data-root=${dataRoot}`,
      `--exec-root=${BASE}/exec`,
      `--pidfile=${BASE}/docker.pid`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  await waitFor('the chaos engine to answer', answers, 60_000);
}

/** Stops the second engine (SIGTERM, as `systemctl restart docker` does) and waits until it is gone. */
export async function stopChaosEngine(): Promise<void> {
  if (!existsSync(`${BASE}/docker.pid`)) return;
  const pid = Number(await readFile(`${BASE}/docker.pid`, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor(
    'the chaos engine to stop',
    async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    60_000,
  );
}

/** Stops the second engine for good and unmounts the network namespace it leaves under its exec root. */
export async function removeChaosEngine(): Promise<void> {
  await stopChaosEngine();
  await exec('umount', [`${BASE}/exec/netns/default`]).catch(() => undefined);
}

/** Restarts the second engine, down for at least `downMs`. Returns the seconds it did not answer. */
export async function restartChaosEngine(downMs: number): Promise<number> {
  const t = Date.now();
  await stopChaosEngine();
  await sleep(downMs);
  await startChaosEngine();
  return (Date.now() - t) / 1000;
}

/** Copies images from the main engine into the second one. */
export async function copyImages(tags: string[]): Promise<void> {
  for (const tag of tags) {
    await exec('sh', ['-c', `docker save '${tag}' | docker -H '${CHAOS_DOCKER_HOST}' load -q`], {
      maxBuffer: 1 << 20,
    });
  }
}
