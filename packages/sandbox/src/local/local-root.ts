import { chmod, chown, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { hostView } from './bwrap-args.js';

/** The user a local sandbox's commands drop to (when the host process is root). */
export interface Drop {
  setpriv: string;
  uid: number;
  gid: number;
}

/**
 * /etc/passwd and /etc/group with the sandbox's own user added, written under `root`; returned as mounts
 * (host -> sandbox) to bind read-only over the host's, so tools that look the user up find `sandbox`.
 */
export async function identityFiles(root: string, uid: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, line] of [
    ['passwd', `sandbox:x:${uid}:${uid}:sandbox:/workspace:/bin/sh`],
    ['group', `sandbox:x:${uid}:`],
  ] as const) {
    const host = await readFile(`/etc/${name}`, 'utf8').catch(() => '');
    const file = join(root, name);
    await writeFile(file, `${host.endsWith('\n') || !host ? host : `${host}\n`}${line}\n`, { mode: 0o644 });
    out[file] = `/etc/${name}`;
  }
  return out;
}

/**
 * Makes `fsRoot` ready to be a sandbox's `/` under bubblewrap, once: the host's top-level symlinks, a sticky
 * /tmp, and a mount point for each mount (a file for a file, a directory for a directory). The directories above
 * a mount point belong to the sandbox's user, so it can still make siblings (/opt/deps next to /opt/runtime).
 */
export async function prepareRoot(
  fsRoot: string,
  mounts: Record<string, string>,
  drop: Drop | undefined,
): Promise<void> {
  for (const l of hostView().symlinks) await symlink(l.target, join(fsRoot, l.path));
  await mkdir(join(fsRoot, 'tmp'), { recursive: true });
  await chmod(join(fsRoot, 'tmp'), 0o1777);
  for (const [host, dest] of Object.entries(mounts)) {
    const isDir = (await stat(host)).isDirectory();
    await mkdir(join(fsRoot, isDir ? dest : posix.dirname(dest)), { recursive: true });
    if (!isDir) await writeFile(join(fsRoot, dest), '');
    if (drop)
      for (let d = posix.dirname(dest); d !== '/'; d = posix.dirname(d))
        await chown(join(fsRoot, d), drop.uid, drop.gid);
  }
  if (drop) await chown(fsRoot, drop.uid, drop.gid);
}
