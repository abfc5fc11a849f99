import { readdirSync, readlinkSync, lstatSync } from 'node:fs';

// Host paths a sandboxed command never sees: secrets (root, home), the host's temp and runtime state,
// kernel interfaces (given fresh instead), and project checkouts.
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
  'lost+found',
]);

/**
 * bubblewrap arguments: a fresh root where the host's system directories are read-only, /proc, /dev and /tmp
 * are new, and only `hostWork` is writable (mounted at `workdir`). Network unshared unless `shareNet`.
 */
export function bwrapArgs(
  hostWork: string,
  workdir: string,
  cwd: string,
  shareNet: boolean,
  extraMounts: Record<string, string> = {},
): string[] {
  const args = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session'];
  if (!shareNet) args.push('--unshare-net');
  for (const name of readdirSync('/')) {
    if (HIDDEN.has(name)) continue;
    const p = `/${name}`;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory()) args.push('--ro-bind', p, p);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  for (const [host, dest] of Object.entries(extraMounts)) args.push('--ro-bind', host, dest);
  args.push('--bind', hostWork, workdir, '--chdir', cwd);
  return args;
}
