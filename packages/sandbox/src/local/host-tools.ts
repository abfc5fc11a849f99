import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { memoAsync } from '@repoforge/schema';

const cache = new Map<string, Promise<string | undefined>>();

/** Full path of an executable on $PATH, or undefined (cached). */
export function which(name: string): Promise<string | undefined> {
  // Not found is not cached: a tool installed during a run (apt-get) is found on the next call.
  return memoAsync(
    cache,
    name,
    async () => {
      for (const dir of (process.env.PATH ?? '').split(delimiter)) {
        const p = join(dir, name);
        try {
          await access(p, constants.X_OK);
          return p;
        } catch {}
      }
      return undefined;
    },
    (found) => found !== undefined,
  );
}

let bwrapProbe: Promise<boolean> | undefined;

/**
 * Whether bubblewrap is present and can actually make namespaces here (it can be installed yet refused). Probed
 * once per process: every local sandbox asks.
 */
export function bwrapWorks(): Promise<boolean> {
  bwrapProbe ??= new Promise((resolve) => {
    which('bwrap').then((bwrap) => {
      if (!bwrap) return resolve(false);
      execFile(
        bwrap,
        ['--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '/bin/true'],
        { timeout: 5000 },
        (e) => resolve(!e),
      );
    });
  });
  return bwrapProbe;
}
