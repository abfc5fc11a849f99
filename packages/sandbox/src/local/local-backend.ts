import { randomInt } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, Sandbox, SandboxBackend, SandboxOptions } from '../types.js';
import { isLocalEnv, readLocalEnv } from './env-manifest.js';
import { bwrapWorks, which } from './host-tools.js';
import { LOCAL_DIR_PREFIX, writeOwner } from './local-reaper.js';
import { identityFiles, prepareRoot } from './local-root.js';
import { LocalSandbox } from './local-sandbox.js';

const NOBODY = 65534;
const SANDBOX_UIDS = 200_000;
const SANDBOX_UID_RANGE = 100_000;

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Options of the local backend. */
export interface LocalBackendOptions {
  /** Use bubblewrap when it works (default true). */
  bwrap?: boolean;
  /** Parent of the sandboxes' temp dirs (default the OS temp dir). */
  tmpRoot?: string;
  logger?: Logger;
}

/**
 * The local backend: child processes in a temp dir. With bubblewrap: a private writable root of its own
 * (so absolute paths like /testbed work as in a container) over a read-only view of the host's system,
 * private network (loopback only), pid, ipc and uts namespaces, no /root, /home, /work or /opt. Running as
 * root it drops to a uid of the sandbox's own (`nobody` without bubblewrap) so process limits apply. Without
 * bubblewrap there is NO network or filesystem isolation, and only paths under the workdir can be used.
 * `image` may name a local environment directory (see `LOCAL_ENV_MANIFEST`); other image names are ignored.
 */
export class LocalBackend implements SandboxBackend {
  readonly name = 'local';
  private warned = false;

  constructor(private readonly options: LocalBackendOptions = {}) {}

  async available(): Promise<boolean> {
    return (await which('sh')) !== undefined;
  }

  /** Whether sandboxes get bubblewrap's isolation (and absolute paths) here. */
  async isolated(): Promise<boolean> {
    return this.options.bwrap !== false && (await bwrapWorks());
  }

  async create(options: SandboxOptions = {}): Promise<Sandbox> {
    options.signal?.throwIfAborted();
    const logger = options.logger ?? this.options.logger;
    const bwrap = (await this.isolated()) ? await which('bwrap') : undefined;
    if (!bwrap && !this.warned) {
      this.warned = true;
      logger?.warn('local sandbox without bubblewrap: commands share the host network and filesystem');
    }
    const localEnv = isLocalEnv(options.image) ? await readLocalEnv(options.image) : undefined;
    const mounts = { ...localEnv?.mounts, ...options.mounts };
    const root = await mkdtemp(join(this.options.tmpRoot ?? tmpdir(), LOCAL_DIR_PREFIX));
    await writeOwner(root, options.runId);
    const setpriv = await which('setpriv');
    const asRoot = process.getuid?.() === 0;
    const wantsRoot = options.user === '0' || options.user === 'root';
    // With bubblewrap each sandbox gets a uid of its own (named `sandbox` in its /etc/passwd), so the process
    // limit counts its processes only: one sandbox's fork bomb cannot starve another, nor the host's `nobody`.
    const own = bwrap ? SANDBOX_UIDS + randomInt(SANDBOX_UID_RANGE) : NOBODY;
    const uid = options.user && /^\d+/.test(options.user) ? Number(options.user.split(':')[0]) : own;
    const drop = asRoot && !wantsRoot && setpriv ? { setpriv, uid, gid: uid } : undefined;
    if (drop && bwrap) Object.assign(mounts, await identityFiles(root, drop.uid));
    const workdir = bwrap ? (options.workdir ?? '/workspace') : join(root, 'work');
    const fsRoot = bwrap ? join(root, 'fs') : undefined;
    const hostWork = fsRoot ? join(fsRoot, workdir) : workdir;
    await mkdir(hostWork, { recursive: true });
    if (fsRoot) await prepareRoot(fsRoot, mounts, drop);
    if (drop) {
      await chown(hostWork, drop.uid, drop.gid);
      await chmod(root, 0o711); // the dropped user passes through (cannot list) to reach its workdir
    }
    const env = {
      PATH: [...(localEnv?.path ?? []), BASE_PATH].join(':'),
      HOME: workdir,
      LANG: 'C.UTF-8',
      ...localEnv?.env,
      ...options.env,
    };
    return new LocalSandbox(
      { root, fsRoot, hostWork, workdir, image: localEnv ? options.image : undefined },
      {
        bwrap,
        prlimit: await which('prlimit'),
        drop,
        shareNet: options.network === 'host',
        limits: options.limits ?? {},
        mounts,
      },
      env,
    );
  }
}
