import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack as tarPack } from 'tar-fs';
import { extractTarSafely } from '../docker/safe-extract.js';
import { checkExecResult, SandboxError } from '../errors.js';
import { toArgv } from '../exec-wrapper.js';
import { parseBytes } from '../limits.js';
import { DEFAULT_MAX_OUTPUT_BYTES, ExecDeadline, OutputCollector } from '../output.js';
import { normalizeFiles, tarFiles } from '../tar.js';
import type { ExecOptions, ExecResult, FileInput, Limits, Sandbox } from '../types.js';
import { bwrapArgs, hostView } from './bwrap-args.js';

/** How the local backend confines a command, decided once per sandbox. */
export interface LocalConfinement {
  bwrap?: string;
  prlimit?: string;
  /** `setpriv` path and the uid/gid to drop to (when running as root). */
  drop?: { setpriv: string; uid: number; gid: number };
  shareNet: boolean;
  limits: Limits;
  /** Host path -> sandbox path, read-only. */
  mounts?: Record<string, string>;
}

/** Where a local sandbox lives on the host. */
export interface LocalLayout {
  /** Removed on close. */
  root: string;
  /** With bubblewrap: the directory that is the sandbox's `/`. */
  fsRoot?: string;
  /** The workdir on the host. */
  hostWork: string;
  /** The workdir as commands see it. */
  workdir: string;
  image?: string;
}

const FILE_IO_CAP = 1 << 30;
const under = (path: string, dir: string) => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

/**
 * A sandbox that is a temp directory on this machine. Commands run in their own process group; with
 * bubblewrap they also get private network/pid namespaces, a writable root of their own and a read-only view
 * of the system. Files move in and out through commands run inside the sandbox (tar, cat) as its user, so a
 * symlink planted by a command can never make the host write or read outside it. Weaker than Docker: see the
 * README.
 */
export class LocalSandbox implements Sandbox {
  readonly backend = 'local';
  readonly id = `local-${randomBytes(6).toString('hex')}`;
  readonly workdir: string;
  readonly image: string | undefined;
  dirty = false;
  closed = false;
  private readonly running = new Set<ChildProcess>();
  private readonly kept = new Set<number>();

  constructor(
    private readonly layout: LocalLayout,
    private readonly confine: LocalConfinement,
    private readonly baseEnv: Record<string, string>,
  ) {
    this.workdir = layout.workdir;
    this.image = layout.image;
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxError('SANDBOX_CLOSED', `sandbox ${this.id} is closed`);
  }

  /** A sandbox path made absolute; refused when the sandbox cannot have it (or cannot write it). */
  private checkPath(path: string, write: boolean): string {
    const abs = posix.resolve(this.workdir, path);
    if (!this.layout.fsRoot) {
      if (!under(abs, this.workdir))
        throw new SandboxError(
          'PATH_OUTSIDE_SANDBOX',
          `${path} is outside the sandbox's workdir ${this.workdir} (without bubblewrap only the workdir exists)`,
        );
      return abs;
    }
    if (write) {
      const ro = [...hostView().readOnlyDirs, ...Object.values(this.confine.mounts ?? {})].find((d) =>
        under(abs, d),
      );
      if (ro) throw new SandboxError('PATH_READ_ONLY', `${path}: ${ro} is read-only in the sandbox`);
    }
    return abs;
  }

  private commandLine(argv: string[], cwd: string): string[] {
    const c = this.confine;
    const line: string[] = [];
    if (c.bwrap) line.push(c.bwrap, ...bwrapArgs(this.layout.fsRoot!, cwd, c.shareNet, c.mounts), '--');
    if (c.prlimit && (c.limits.pids || c.limits.memory)) {
      line.push(c.prlimit);
      if (c.limits.pids) line.push(`--nproc=${c.limits.pids}`);
      if (c.limits.memory) line.push(`--as=${parseBytes(c.limits.memory, 'limits.memory')}`);
      line.push('--');
    }
    if (c.drop)
      line.push(c.drop.setpriv, `--reuid=${c.drop.uid}`, `--regid=${c.drop.gid}`, '--clear-groups', '--');
    return [...line, ...argv];
  }

  async exec(cmd: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen();
    options.signal?.throwIfAborted();
    this.dirty = true;
    const { result } = await this.run(toArgv(cmd), options);
    return options.check ? checkExecResult(result, typeof cmd === 'string' ? cmd : cmd.join(' ')) : result;
  }

  private async run(
    argv: string[],
    options: ExecOptions,
  ): Promise<{ result: ExecResult; out: OutputCollector }> {
    const started = performance.now();
    const cwd = posix.resolve(this.workdir, options.cwd ?? '.');
    const bwrap = !!this.confine.bwrap;
    // The cwd is made inside the sandbox (as its user) before the command runs there; the test is a builtin, so
    // the usual case (it exists) costs no extra process.
    const line = bwrap
      ? [
          '/bin/sh',
          '-c',
          '[ -d "$0" ] || mkdir -p -- "$0" 2>/dev/null; cd -- "$0" && exec "$@"',
          cwd,
          ...argv,
        ]
      : argv;
    const [file, ...args] = this.commandLine(line, bwrap ? '/' : this.layout.hostWork);
    if (!bwrap) {
      this.checkPath(cwd, true);
      await mkdir(cwd, { recursive: true });
      if (this.confine.drop) await chown(cwd, this.confine.drop.uid, this.confine.drop.gid);
    }
    const child = spawn(file!, args, {
      cwd: bwrap ? '/' : cwd,
      env: { ...this.baseEnv, ...options.env },
      detached: true, // own process group: a timeout kills the whole tree
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.running.add(child);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {}
    };
    const out = new OutputCollector(
      options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      options.onStdout,
      options.onStderr,
      kill,
    );
    child.stdout!.on('data', (c: Buffer) => out.push('stdout', c));
    child.stderr!.on('data', (c: Buffer) => out.push('stderr', c));
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.stdin ?? undefined);
    const deadline = new ExecDeadline(kill, options);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (res, rej) => {
        child.on('error', rej);
        child.on('close', (code, signal) => res({ code, signal }));
      },
    ).finally(() => {
      deadline.dispose();
      this.running.delete(child);
      // Anything the command left running in its group goes too, unless asked to keep it (killed on close).
      if (options.keepBackground && child.pid) this.kept.add(child.pid);
      else kill();
    });
    const { timedOut } = deadline;
    if (deadline.aborted)
      throw new SandboxError('ABORTED', 'exec aborted', { cause: options.signal?.reason });
    const exitCode = timedOut ? 124 : (code ?? (signal === 'SIGKILL' ? 137 : 128 + 15));
    const result: ExecResult = {
      exitCode,
      stdout: out.text('stdout'),
      stderr: out.text('stderr'),
      truncated: out.truncated,
      timedOut,
      oomKilled: false, // rlimits make allocations fail rather than OOM-kill; not detectable here
      durationMs: Math.round(performance.now() - started),
    };
    return { result, out };
  }

  /** Runs a file-moving command inside the sandbox; a failure becomes a SandboxError naming `what`. */
  private async io(argv: string[], what: string, stdin?: Uint8Array, signal?: AbortSignal): Promise<Buffer> {
    const { result, out } = await this.run(argv, { stdin, signal, maxOutputBytes: FILE_IO_CAP });
    if (result.exitCode === 3) throw new SandboxError('FILE_NOT_FOUND', `no file ${what} in the sandbox`);
    if (result.exitCode !== 0) {
      const msg = result.stderr.trim().split('\n').slice(-3).join('; ');
      const code = /Read-only file system/.test(msg) ? 'PATH_READ_ONLY' : 'ENGINE_ERROR';
      throw new SandboxError(code, `${what}: ${msg || `exit ${result.exitCode}`}`);
    }
    return out.bytes('stdout');
  }

  async writeFiles(
    files: readonly FileInput[] | Record<string, string | Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    this.assertOpen();
    this.dirty = true;
    const list = normalizeFiles(files, this.workdir);
    for (const f of list) this.checkPath(f.path, true);
    if (list.length === 0) return;
    const tar = await tarFiles(list);
    await this.io(
      ['tar', '-x', '-p', '--no-same-owner', '-C', '/', '-f', '-'],
      list[0]!.path,
      tar,
      options.signal,
    );
  }

  async readFile(path: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    this.assertOpen();
    const abs = this.checkPath(path, false);
    return this.io(
      ['/bin/sh', '-c', '[ -f "$0" ] || exit 3; exec cat -- "$0"', abs],
      abs,
      undefined,
      options.signal,
    );
  }

  async copyIn(hostDir: string, dest: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertOpen();
    this.dirty = true;
    const abs = this.checkPath(dest, true);
    const tar = await streamBytes(tarPack(hostDir));
    await this.io(
      ['/bin/sh', '-c', 'mkdir -p -- "$0" && exec tar -x -p --no-same-owner -C "$0" -f -', abs],
      abs,
      tar,
      options.signal,
    );
  }

  async copyOut(path: string, hostDest: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertOpen();
    const abs = this.checkPath(path, false);
    const tar = await this.io(
      [
        '/bin/sh',
        '-c',
        '[ -e "$0" ] || exit 3; exec tar -c -C "$1" -f - -- "$2"',
        abs,
        posix.dirname(abs),
        posix.basename(abs),
      ],
      abs,
      undefined,
      options.signal,
    );
    await extractTarSafely(Readable.from([tar]), hostDest);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pid of [...[...this.running].map((c) => c.pid), ...this.kept]) {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    await rm(this.layout.root, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}
