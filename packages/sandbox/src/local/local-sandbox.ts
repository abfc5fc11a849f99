import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, posix, relative, resolve } from 'node:path';
import { checkExecResult, SandboxError } from '../errors.js';
import { toArgv } from '../exec-wrapper.js';
import { parseBytes } from '../limits.js';
import { DEFAULT_MAX_OUTPUT_BYTES, OutputCollector } from '../output.js';
import { normalizeFiles } from '../tar.js';
import type { ExecOptions, ExecResult, FileInput, Limits, Sandbox } from '../types.js';
import { bwrapArgs } from './bwrap-args.js';

/** How the local backend confines a command, decided once per sandbox. */
export interface LocalConfinement {
  bwrap?: string;
  prlimit?: string;
  /** `setpriv` path and the uid/gid to drop to (when running as root). */
  drop?: { setpriv: string; uid: number; gid: number };
  shareNet: boolean;
  limits: Limits;
  mounts?: Record<string, string>;
}

/**
 * A sandbox that is a temp directory on this machine. Commands run in their own process group; with
 * bubblewrap they also get private network/pid namespaces and a read-only view of the system. Weaker than
 * Docker: see the README.
 */
export class LocalSandbox implements Sandbox {
  readonly backend = 'local';
  readonly image = undefined;
  readonly id = `local-${randomBytes(6).toString('hex')}`;
  dirty = false;
  closed = false;
  private readonly running = new Set<ChildProcess>();
  private readonly kept = new Set<number>();

  constructor(
    private readonly root: string,
    private readonly hostWork: string,
    readonly workdir: string,
    private readonly confine: LocalConfinement,
    private readonly baseEnv: Record<string, string>,
  ) {}

  private assertOpen(): void {
    if (this.closed) throw new SandboxError('SANDBOX_CLOSED', `sandbox ${this.id} is closed`);
  }

  /** Maps a sandbox path (absolute or relative to workdir) to the host, refusing anything outside. */
  private hostPath(path: string): string {
    const inSandbox = posix.resolve(this.workdir, path);
    const rel = posix.relative(this.workdir, inSandbox);
    if (rel.startsWith('..') || posix.isAbsolute(rel)) {
      throw new SandboxError(
        'PATH_OUTSIDE_SANDBOX',
        `${path} is outside the sandbox's workdir ${this.workdir}`,
      );
    }
    return resolve(this.hostWork, rel);
  }

  private commandLine(argv: string[], cwd: string): string[] {
    const c = this.confine;
    const line: string[] = [];
    if (c.bwrap)
      line.push(c.bwrap, ...bwrapArgs(this.hostWork, this.workdir, cwd, c.shareNet, c.mounts), '--');
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
    const started = performance.now();
    const cwdInSandbox = posix.resolve(this.workdir, options.cwd ?? '.');
    const hostCwd = this.hostPath(cwdInSandbox);
    await mkdir(hostCwd, { recursive: true });
    const [file, ...args] = this.commandLine(toArgv(cmd), this.confine.bwrap ? cwdInSandbox : hostCwd);
    const child = spawn(file!, args, {
      cwd: this.confine.bwrap ? '/' : hostCwd,
      env: { ...this.baseEnv, ...options.env },
      detached: true, // own process group: a timeout kills the whole tree
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.running.add(child);
    let timedOut = false;
    let aborted = false;
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
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (res, rej) => {
        child.on('error', rej);
        child.on('close', (code, signal) => res({ code, signal }));
      },
    ).finally(() => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.running.delete(child);
      // Anything the command left running in its group goes too, unless asked to keep it (killed on close).
      if (options.keepBackground && child.pid) this.kept.add(child.pid);
      else kill();
    });
    if (aborted) throw new SandboxError('ABORTED', 'exec aborted', { cause: options.signal?.reason });
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
    return options.check ? checkExecResult(result, typeof cmd === 'string' ? cmd : cmd.join(' ')) : result;
  }

  private async own(path: string): Promise<void> {
    if (this.confine.drop) await chown(path, this.confine.drop.uid, this.confine.drop.gid);
  }

  async writeFiles(files: readonly FileInput[] | Record<string, string | Uint8Array>): Promise<void> {
    this.assertOpen();
    this.dirty = true;
    for (const f of normalizeFiles(files, this.workdir)) {
      const host = this.hostPath(f.path);
      await mkdir(dirname(host), { recursive: true });
      await writeFile(host, f.content, { mode: f.mode ?? 0o644 });
      await this.own(host);
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertOpen();
    try {
      return await readFile(this.hostPath(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SandboxError('FILE_NOT_FOUND', `no file ${path} in the sandbox`, { cause: error });
      }
      throw error;
    }
  }

  async copyIn(hostDir: string, dest: string): Promise<void> {
    this.assertOpen();
    this.dirty = true;
    const target = this.hostPath(dest);
    await cp(hostDir, target, { recursive: true, verbatimSymlinks: true });
    if (this.confine.drop) {
      await this.exec([
        'chown',
        '-R',
        `${this.confine.drop.uid}:${this.confine.drop.gid}`,
        relative(this.hostWork, target) || '.',
      ]).catch(() => {});
    }
  }

  async copyOut(path: string, hostDest: string): Promise<void> {
    this.assertOpen();
    const src = this.hostPath(path);
    await cp(src, resolve(hostDest, posix.basename(posix.resolve(this.workdir, path))), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pid of [...[...this.running].map((c) => c.pid), ...this.kept]) {
      try {
        if (pid) process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    await rm(this.root, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
