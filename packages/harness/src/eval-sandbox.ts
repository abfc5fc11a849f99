import type { Sandbox, SandboxOptions } from '@repoforge/sandbox';

/**
 * The checkout lives on a tmpfs: writing django's 6,000 files took 0.3 s there against 1.3-8 s on the
 * container's overlayfs on this 2-core machine (the largest part of preparing an instance). Instance images
 * keep their own /testbed, so they never get it.
 */
export const TESTBED_TMPFS: Readonly<Record<string, string>> = { '/testbed': 'rw,exec,nosuid,size=8g' };

const CHECKOUT = 'checkout:';

/** The pool key of an eval sandbox: the image, and whether the repo is checked out into it (tmpfs /testbed). */
export function evalPoolKey(image: string, checkout: boolean): string {
  return checkout ? `${CHECKOUT}${image}` : image;
}

/** The pool's `create` for eval sandboxes: network none, a pid limit, a tmpfs /testbed where a repo is checked out. */
export function evalSandboxCreator(
  make: (options: SandboxOptions) => Promise<Sandbox>,
  extra: Pick<SandboxOptions, 'runId' | 'logger'> = {},
): (key: string, signal?: AbortSignal) => Promise<Sandbox> {
  return (key, signal) => {
    const checkout = key.startsWith(CHECKOUT);
    return make({
      image: checkout ? key.slice(CHECKOUT.length) : key,
      network: 'none',
      limits: { pids: 4096 },
      ...(checkout ? { tmpfs: { ...TESTBED_TMPFS } } : {}),
      ...extra,
      signal,
    });
  };
}
