import { describe, expect, it, vi } from 'vitest';
import { diskFullHint, type Statfs, watchDisk } from './disk-watch.js';

const MiB = 1048576;

/** A statfs whose free space follows `freeMiB`, one value per call (the last one repeated). */
function fakeStatfs(freeMiB: number[]): Statfs & { calls: number } {
  const f = Object.assign(
    async () => {
      const free = freeMiB[Math.min(f.calls++, freeMiB.length - 1)]!;
      return { bfree: free * 256, bsize: 4096 };
    },
    { calls: 0 },
  );
  return f;
}

describe('watchDisk', () => {
  it('keeps the least free space seen while it ran, though the disk was freed again by the end', async () => {
    const statfs = fakeStatfs([200, 120, 0.5, 150, 190]);
    const watch = watchDisk('/var/lib/docker', { intervalMs: 5, statfs });
    await vi.waitFor(() => expect(statfs.calls).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    const seen = await watch.stop();
    expect(seen).toEqual({ root: '/var/lib/docker', minFreeBytes: 0.5 * MiB });
    expect(await watch.stop()).toBe(seen); // stopping again answers the same
    const calls = statfs.calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(statfs.calls).toBe(calls); // and nothing samples after stop
  });

  it('tells nothing of a root it cannot stat', async () => {
    const watch = watchDisk('/nope', { statfs: () => Promise.reject(new Error('ENOENT')) });
    expect(await watch.stop()).toBeUndefined();
  });
});

describe('diskFullHint', () => {
  it('names the full disk only when the watch saw it nearly empty', () => {
    expect(diskFullHint({ root: '/r', minFreeBytes: 0.5 * MiB })).toBe(
      " (the engine's disk is full: 0.5 MiB were left under /r during the build)",
    );
    expect(diskFullHint({ root: '/r', minFreeBytes: 100 * MiB })).toBe('');
    expect(diskFullHint(undefined)).toBe('');
  });
});
