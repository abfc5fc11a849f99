/** Resource limits of a sandbox. Memory accepts bytes or `512m` / `2g` strings. */
export interface Limits {
  memory?: number | string;
  /** CPU share, e.g. 1.5 = one and a half cores. */
  cpus?: number;
  /** Maximum number of processes (fork-bomb guard). */
  pids?: number;
  /** Writable-layer size (Docker: only where the storage driver supports `--storage-opt size`). */
  disk?: number | string;
}

/** A tiny logger; the CLI supplies one, libraries never print. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/** What a sandbox should be. */
export interface SandboxOptions {
  /** `docker` (default when an engine answers), `local`, `auto`, or a third-party backend object. */
  backend?: 'docker' | 'local' | 'auto' | SandboxBackend;
  /** Image to run (Docker). Defaults to `repoforge/base:bookworm`. */
  image?: string;
  limits?: Limits;
  /** `none` (default): only loopback. `host`: the host's network, for install steps only. */
  network?: 'none' | 'host';
  /** User commands run as (`uid`, `uid:gid` or a name known to the image). */
  user?: string;
  /** Working directory of commands; created if missing. Default `/workspace`. */
  workdir?: string;
  /** Extra labels (Docker) recorded on the sandbox. */
  labels?: Record<string, string>;
  /** Environment for every exec. */
  env?: Record<string, string>;
  /** Host paths mounted read-only (never writable): host path -> sandbox path. */
  mounts?: Record<string, string>;
  /**
   * Docker: memory-backed directories (sandbox path -> mount options, e.g. `rw,exec,size=8g`) for trees that
   * are written once per sandbox and thrown away, such as a checkout. Their pages count against the memory
   * limit. Docker's archive API does not see these mounts, so write and read them with `exec`, not
   * writeFiles/readFile/copyIn/copyOut. The local backend ignores it: its directories are host directories.
   */
  tmpfs?: Record<string, string>;
  /** Groups the sandboxes of one run, so a reaper can clean exactly what it left. */
  runId?: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Options of one command. */
export interface ExecOptions {
  /** Kill the command's whole process group after this long; the result has `timedOut` and exit code 124. */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string | Uint8Array;
  /** Cap on stdout + stderr kept (default 16 MiB); beyond it the command is killed and `truncated` set. */
  maxOutputBytes?: number;
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
  /** Run as this user instead of the sandbox's. */
  user?: string;
  /**
   * Leave processes the command started in the background running after it exits (e.g. an agent's dev
   * server). Default false: whatever the command leaves in its process group is killed when it ends.
   */
  keepBackground?: boolean;
  /** Throw an ExecError (TIMEOUT, OOM_KILLED, OUTPUT_TRUNCATED, NONZERO_EXIT) instead of returning a bad result. */
  check?: boolean;
  signal?: AbortSignal;
}

/** How a command ended. */
export interface ExecResult {
  /** The exit code; 124 when timed out (as `timeout(1)`), 137 when killed by SIGKILL. */
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  oomKilled: boolean;
  durationMs: number;
}

/** A file to write into a sandbox. Relative paths are relative to the workdir. */
export interface FileInput {
  path: string;
  content: string | Uint8Array;
  /** Unix mode, default 0o644. */
  mode?: number;
}

/** An isolated place to run untrusted commands. Close it (or `await using` it) when done. */
export interface Sandbox extends AsyncDisposable {
  readonly id: string;
  readonly backend: string;
  readonly image: string | undefined;
  /** The image's content id (`sha256:...`), where the backend has one: a tag can move, this cannot. */
  readonly imageId?: string;
  readonly workdir: string;
  /** True once anything ran or was written: a pool never hands out a dirty sandbox. */
  readonly dirty: boolean;
  readonly closed: boolean;
  /** Runs a shell command line (`/bin/sh -c`) or an argv vector. */
  exec(cmd: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  writeFiles(
    files: readonly FileInput[] | Record<string, string | Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  readFile(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Copies a host directory's contents into `dest` in the sandbox (tar under the hood). */
  copyIn(hostDir: string, dest: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Copies `path` (file or directory) out of the sandbox into the host directory `hostDest`. */
  copyOut(path: string, hostDest: string, options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
  /**
   * Saves the sandbox's filesystem as an image (Docker backend only; undefined elsewhere), e.g. an environment
   * whose dependencies an install step just put in place. Returns the image id. With `only`: an image of
   * `only.onto` plus just `only.paths` of this sandbox (a build's output without the toolchain that made it).
   */
  commit?(
    tag: string,
    options?: {
      labels?: Record<string, string>;
      signal?: AbortSignal;
      only?: { paths: readonly string[]; onto: string };
    },
  ): Promise<string>;
}

/** A way to make sandboxes. Third parties (Kubernetes, Modal, Podman) implement this. */
export interface SandboxBackend {
  readonly name: string;
  /** Whether this backend can run here (engine answers, binary present, ...). */
  available(signal?: AbortSignal): Promise<boolean>;
  create(options: SandboxOptions): Promise<Sandbox>;
}
