import { mkdir, mkdtemp, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, Sandbox, SandboxBackend, SandboxOptions } from '../types.js';
import { bwrapWorks, which } from './host-tools.js';
import { LocalSandbox } from './local-sandbox.js';

const NOBODY = 65534;

/** Options of the local backend. */
export interface LocalBackendOptions {
  /** Use bubblewrap when it works (default true). */
  bwrap?: boolean;
  /** Parent of the sandboxes' temp dirs (default the OS temp dir). */
  tmpRoot?: string;
  logger?: Logger;
}

/**
 * The local backend: child processes in a temp dir. With bubblewrap: private network (loopback only), pid,
 * ipc and uts namespaces, read-only system, hidden /root, /home and /work. Running as root it drops to
 * `nobody` so process limits apply. Without bubblewrap there is NO network or filesystem isolation.
 */
export class LocalBackend implements SandboxBackend {
  readonly name = 'local';
  private warned = false;

  constructor(private readonly options: LocalBackendOptions = {}) {}

  async available(): Promise<boolean> {
    return (await which('sh')) !== undefined;
  }

  async create(options: SandboxOptions = {}): Promise<Sandbox> {
    options.signal?.throwIfAborted();
    const logger = options.logger ?? this.options.logger;
    const bwrap = this.options.bwrap !== false && (await bwrapWorks()) ? await which('bwrap') : undefined;
    if (!bwrap && !this.warned) {
      this.warned = true;
      logger?.warn('local sandbox without bubblewrap: commands share the host network and filesystem');
    }
    const root = await mkdtemp(join(this.options.tmpRoot ?? tmpdir(), 'repoforge-local-'));
    const hostWork = join(root, 'work');
    await mkdir(hostWork, { recursive: true });
    const setpriv = await which('setpriv');
    const asRoot = process.getuid?.() === 0;
    const wantsRoot = options.user === '0' || options.user === 'root';
    const uid = options.user && /^\d+/.test(options.user) ? Number(options.user.split(':')[0]) : NOBODY;
    const drop =
      asRoot && !wantsRoot && setpriv ? { setpriv, uid, gid: uid === NOBODY ? NOBODY : uid } : undefined;
    if (drop) await chown(hostWork, drop.uid, drop.gid);
    const workdir = bwrap ? (options.workdir ?? '/workspace') : hostWork;
    const env = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: workdir,
      LANG: 'C.UTF-8',
      ...options.env,
    };
    return new LocalSandbox(
      root,
      hostWork,
      workdir,
      {
        bwrap,
        prlimit: await which('prlimit'),
        drop,
        shareNet: options.network === 'host',
        limits: options.limits ?? {},
        mounts: options.mounts,
      },
      env,
    );
  }
}
