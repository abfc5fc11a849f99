import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { retry } from '@repoforge/schema';
import type Docker from 'dockerode';
import { pack as tarPack } from 'tar-fs';
import { callSignal } from '../call-signal.js';
import { checkExecResult, isEngineFault, SandboxError } from '../errors.js';
import { killCommand, toArgv, wrapCommand } from '../exec-wrapper.js';
import { DEFAULT_MAX_OUTPUT_BYTES, ExecDeadline, OutputCollector } from '../output.js';
import { firstFileOfTar, normalizeFiles, tarFiles } from '../tar.js';
import type { ExecOptions, ExecResult, FileInput, Sandbox } from '../types.js';
import { demuxDockerStream } from './demux.js';
import { statusOf } from './engine.js';
import { sandboxLabels } from './labels.js';
import { extractTarSafely } from './safe-extract.js';

const OOM_PROBE = 'cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null';

function envList(env: Record<string, string> | undefined): string[] | undefined {
  return env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : undefined;
}

/** A sandbox backed by one Docker container (kept alive by an attached stdin: if we die, it goes). */
export class DockerSandbox implements Sandbox {
  readonly backend = 'docker';
  dirty = false;
  closed = false;
  private oomKills = 0;

  constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    readonly workdir: string,
    private readonly defaults: { env?: Record<string, string>; user?: string; pidsLimit?: number },
    private readonly lifeline: Duplex | undefined,
    readonly imageId: string | undefined,
    /** The engine, for a commit `onto` another image (a container of that image is made). */
    private readonly docker: Docker,
  ) {}

  private get pidsLimit(): number | undefined {
    return this.defaults.pidsLimit;
  }

  get id(): string {
    return this.container.id;
  }

  private assertOpen(): void {
    if (this.closed) throw new SandboxError('SANDBOX_CLOSED', `sandbox ${this.id.slice(0, 12)} is closed`);
  }

  /** Runs argv without the wrapper, for our own housekeeping (kill, probes). */
  private async rawExec(argv: string[], user = '0'): Promise<{ exitCode: number; stdout: string }> {
    const exec = await this.container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, User: user });
    const stream = (await exec.start({ hijack: true, stdin: false })) as Readable;
    let stdout = '';
    await demuxDockerStream(stream, (kind, c) => {
      if (kind === 'stdout') stdout += Buffer.from(c).toString();
    });
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, stdout };
  }

  async exec(cmd: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertOpen();
    options.signal?.throwIfAborted();
    this.dirty = true;
    const started = performance.now();
    const execId = randomBytes(8).toString('hex');
    const hasStdin = options.stdin !== undefined;
    const { exec, stream } = await this.startExec({
      Cmd: wrapCommand(execId, toArgv(cmd), options.keepBackground),
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: hasStdin,
      Env: envList({ ...this.defaults.env, ...options.env }),
      WorkingDir: options.cwd ?? this.workdir,
      User: options.user ?? this.defaults.user ?? '',
    });
    let ended = false;
    let killing: Promise<void> | undefined;
    const kill = () => {
      // The wrapper may not have recorded its group yet: retry until the stream ends.
      killing ??= (async () => {
        for (let i = 0; i < 30 && !ended; i++) {
          const killed = await this.rawExec(killCommand(execId)).catch(() => undefined);
          // A fork bomb can fill the pids limit so that even the killer cannot start: lift it briefly.
          if (!killed && this.pidsLimit) await this.killWithRoom(execId);
          if (!ended) await new Promise((r) => setTimeout(r, 100));
        }
        // Still running: the container goes, so nothing hostile outlives the timeout.
        if (!ended) await this.close().catch(() => undefined);
      })();
    };
    const out = new OutputCollector(
      options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      options.onStdout,
      options.onStderr,
      kill,
    );
    const deadline = new ExecDeadline(kill, options);
    const demuxed = demuxDockerStream(stream, (kind, chunk) => out.push(kind, chunk));
    if (hasStdin) {
      stream.write(typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin);
      stream.end();
    }
    try {
      await demuxed;
    } finally {
      ended = true;
      deadline.dispose();
    }
    await killing;
    // The exit code is known once the engine has seen the process go (a few ms after the stream ends).
    let lost: unknown;
    const inspect = () =>
      exec.inspect().catch((error: unknown) => {
        lost = error;
        return undefined;
      });
    let info = this.closed ? undefined : await inspect();
    for (let i = 0; info?.Running && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 25));
      info = await inspect();
    }
    const { timedOut } = deadline;
    if (deadline.aborted)
      throw new SandboxError('ABORTED', 'exec aborted', { cause: options.signal?.reason });
    // Killed (or no exit status) and the container stops too: the engine restarted or the container was removed
    // under the command (nothing inside can stop a container's init). The output is a fragment, not a result:
    // graded, it would be a false verdict.
    // A killed or unknown end waits for the engine to catch up; any other failure is looked at once (an exec
    // into a container being stopped fails with the runtime's own code).
    const killedOrUnknown = info?.ExitCode == null || info.ExitCode === 137;
    const failed = killedOrUnknown || info?.ExitCode !== 0;
    if (failed && !this.closed && !timedOut && (await this.containerGone(killedOrUnknown ? 10 : 1)))
      throw new SandboxError(
        'SANDBOX_LOST',
        `the sandbox went away during the command (engine restarted or container removed): ${(lost as Error | undefined)?.message ?? 'no exit status'}`,
        { cause: lost },
      );
    let exitCode = info?.ExitCode ?? 137;
    const oomKilled = exitCode === 137 && !timedOut && !out.truncated && (await this.sawNewOomKill());
    if (timedOut) exitCode = 124;
    const result: ExecResult = {
      exitCode,
      stdout: out.text('stdout'),
      stderr: out.text('stderr'),
      truncated: out.truncated,
      timedOut,
      oomKilled,
      durationMs: Math.round(performance.now() - started),
    };
    return options.check ? checkExecResult(result, typeof cmd === 'string' ? cmd : cmd.join(' ')) : result;
  }

  /**
   * Creates and starts an exec. An engine that says the container is not running (409) or not there (404),
   * or that does not answer, means the sandbox went away before the command began: SANDBOX_LOST.
   */
  private async startExec(config: Docker.ExecCreateOptions): Promise<{ exec: Docker.Exec; stream: Duplex }> {
    try {
      const exec = await this.container.exec(config);
      const stream = (await exec.start({ hijack: true, stdin: config.AttachStdin === true })) as Duplex;
      return { exec, stream };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 409 || isEngineFault(error))
        throw new SandboxError(
          'SANDBOX_LOST',
          `the sandbox went away before the command (engine restarted or container removed): ${(error as Error).message}`,
          { cause: error },
        );
      throw error;
    }
  }

  /**
   * Whether the container stopped or vanished (or its engine stopped answering), looking `tries` times 50 ms
   * apart: an outside kill ends the exec's stream a moment before the engine marks the container stopped.
   */
  private async containerGone(tries: number): Promise<boolean> {
    const gone = await retry(
      async () => {
        const running = await this.container.inspect().then(
          (c) => c.State.Running === true,
          () => false,
        );
        return running ? { done: false, waitMs: 50 } : { done: true, value: true };
      },
      { tries },
    );
    return gone === true;
  }

  /** Raises the pids limit for one kill, then restores it. */
  private async killWithRoom(execId: string): Promise<void> {
    const limit = this.pidsLimit!;
    try {
      await this.container.update({ PidsLimit: limit + 16 });
      await this.rawExec(killCommand(execId)).catch(() => undefined);
    } finally {
      await this.container.update({ PidsLimit: limit }).catch(() => undefined);
    }
  }

  /** Reads the cgroup's OOM-kill counter (v1 or v2) and reports whether it grew since we last looked. */
  private async sawNewOomKill(): Promise<boolean> {
    const probe = await this.rawExec(['/bin/sh', '-c', OOM_PROBE]).catch(() => undefined);
    const m = probe && /oom_kill (\d+)/.exec(probe.stdout);
    if (!m) {
      const state = await this.container.inspect().catch(() => undefined);
      return state?.State.OOMKilled === true;
    }
    const count = Number(m[1]);
    const grew = count > this.oomKills;
    this.oomKills = count;
    return grew;
  }

  async writeFiles(
    files: readonly FileInput[] | Record<string, string | Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ) {
    this.assertOpen();
    this.dirty = true;
    // The engine creates missing parent directories itself; files belong to the sandbox's numeric user.
    const owner = /^(\d+)(?::(\d+))?$/.exec(this.defaults.user ?? '');
    const ids = owner ? { uid: Number(owner[1]), gid: Number(owner[2] ?? owner[1]) } : undefined;
    const tar = await tarFiles(normalizeFiles(files, this.workdir), ids);
    await this.container.putArchive(tar, { path: '/', abortSignal: callSignal(options.signal) });
  }

  /** A path's tar stream from the engine; a missing path is FILE_NOT_FOUND. */
  private async archive(path: string, signal?: AbortSignal): Promise<{ full: string; stream: Readable }> {
    const full = path.startsWith('/') ? path : `${this.workdir}/${path}`;
    try {
      const stream = (await this.container.getArchive({
        path: full,
        abortSignal: callSignal(signal),
      })) as Readable;
      return { full, stream };
    } catch (error) {
      if (statusOf(error) === 404)
        throw new SandboxError('FILE_NOT_FOUND', `no ${full} in the sandbox`, { cause: error });
      throw error;
    }
  }

  async readFile(path: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    this.assertOpen();
    const { full, stream } = await this.archive(path, options.signal);
    const body = await firstFileOfTar(stream);
    if (!body) throw new SandboxError('FILE_NOT_FOUND', `${full} is not a regular file`);
    return body;
  }

  async copyIn(hostDir: string, dest: string, options: { signal?: AbortSignal } = {}) {
    this.assertOpen();
    this.dirty = true;
    const full = dest.startsWith('/') ? dest : `${this.workdir}/${dest}`;
    await this.rawExec(['mkdir', '-p', full]);
    await this.container.putArchive(tarPack(hostDir), {
      path: full,
      abortSignal: callSignal(options.signal),
    });
  }

  async copyOut(path: string, hostDest: string, options: { signal?: AbortSignal } = {}) {
    this.assertOpen();
    const { stream } = await this.archive(path, options.signal);
    await extractTarSafely(stream, hostDest);
  }

  async commit(
    tag: string,
    options: {
      labels?: Record<string, string>;
      signal?: AbortSignal;
      only?: { paths: readonly string[]; onto: string };
    } = {},
  ): Promise<string> {
    this.assertOpen();
    const [repo, version = 'latest'] = tag.split(/:(?=[^/]+$)/);
    // The lifeline command is ours, not the image's: leave a neutral default behind.
    const changes = [
      'CMD ["/bin/sh"]',
      ...Object.entries(options.labels ?? {}).map(
        ([k, v]) => `LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`,
      ),
    ];
    const commit = (container: Docker.Container, pause: boolean) =>
      (container.commit as (o: unknown) => Promise<{ Id: string }>)
        .call(container, { repo, tag: version, changes, pause, abortSignal: callSignal(options.signal) })
        .then((res) => res.Id);
    if (!options.only) return commit(this.container, true);
    const target = await this.containerOf(options.only.onto, options.signal);
    try {
      // Streamed engine to engine: no copy on the host, no intermediate image.
      for (const path of options.only.paths) {
        const { full, stream } = await this.archive(path, options.signal);
        await target.putArchive(stream, {
          path: posix.dirname(full),
          abortSignal: callSignal(options.signal),
        });
      }
      return await commit(target, false);
    } finally {
      // Not awaited: the helper was never started, and deleting its layer is the engine's disk work (the reaper
      // finds it by its labels should the engine not finish).
      void target.remove({ force: true }).catch(() => {});
    }
  }

  /** A container of `image`, created and never started: what a commit `onto` it writes into. */
  private async containerOf(image: string, signal?: AbortSignal): Promise<Docker.Container> {
    return this.docker.createContainer({
      Image: image,
      Cmd: ['true'],
      Entrypoint: [],
      Labels: sandboxLabels(undefined, { 'repoforge.purpose': 'commit-onto' }),
      NetworkDisabled: true,
      abortSignal: callSignal(signal),
    } as Docker.ContainerCreateOptions);
  }

  /**
   * Stops everything in the sandbox (the container is killed before this resolves); the engine then deletes the
   * container itself (AutoRemove). Deleting a large writable layer (an install's node_modules) takes seconds of
   * disk work that nothing needs to wait for, and the engine finishes it even if this process exits.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lifeline?.destroy();
    try {
      await this.container.kill();
    } catch (error) {
      // Already gone, or already stopped (its lifeline closed): the engine removes it.
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
