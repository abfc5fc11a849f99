import { lstatSync, readdirSync, readlinkSync } from 'node:fs';

// Host paths a sandboxed command never sees: secrets (root, home), the host's temp and runtime state,
// kernel interfaces (given fresh instead), project checkouts, and add-on trees (/opt: environments mount there).
const HIDDEN = new Set([
  'proc',
  'dev',
  'sys',
  'tmp',
  'run',
  'root',
  'home',
  'work',
  'mnt',
  'media',
  'srv',
  'boot',
  'opt',
  'lost+found',
]);

/** What of the host's `/` a sandbox sees: system directories (read-only) and top-level symlinks (`/bin -> usr/bin`). */
export interface HostView {
  readOnlyDirs: string[];
  symlinks: { path: string; target: string }[];
}

let cached: HostView | undefined;

/** The host's top-level layout, read once. */
export function hostView(): HostView {
  if (cached) return cached;
  const view: HostView = { readOnlyDirs: [], symlinks: [] };
  for (const name of readdirSync('/')) {
    if (HIDDEN.has(name)) continue;
    const p = `/${name}`;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) view.symlinks.push({ path: p, target: readlinkSync(p) });
    else if (st.isDirectory()) view.readOnlyDirs.push(p);
  }
  cached = view;
  return view;
}

/**
 * bubblewrap arguments: the sandbox's own directory `fsRoot` is the writable root (so /testbed, /tmp or
 * /eval.sh persist between commands, as in a container), the host's system directories are mounted over it
 * read-only, /proc and /dev are new, and `extraMounts` (host -> sandbox) are read-only. The top-level symlinks
 * and mount points are made in `fsRoot` beforehand (bwrap refuses to remake them on the next command). Network
 * unshared unless `shareNet`.
 */
export function bwrapArgs(
  fsRoot: string,
  cwd: string,
  shareNet: boolean,
  extraMounts: Record<string, string> = {},
): string[] {
  const args = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session'];
  if (!shareNet) args.push('--unshare-net');
  args.push('--bind', fsRoot, '/');
  for (const p of hostView().readOnlyDirs) args.push('--ro-bind', p, p);
  args.push('--proc', '/proc', '--dev', '/dev');
  for (const [host, dest] of Object.entries(extraMounts)) args.push('--ro-bind', host, dest);
  args.push('--chdir', cwd);
  return args;
}
