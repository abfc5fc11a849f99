/** Collects a command's stdout and stderr up to a shared byte cap, calling the live callbacks as it goes. */
export class OutputCollector {
  private readonly out: Uint8Array[] = [];
  private readonly err: Uint8Array[] = [];
  private kept = 0;
  truncated = false;

  constructor(
    private readonly cap: number,
    private readonly onStdout?: (chunk: Uint8Array) => void,
    private readonly onStderr?: (chunk: Uint8Array) => void,
    private readonly onOverflow?: () => void,
  ) {}

  push(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    if (this.truncated) return;
    (stream === 'stdout' ? this.onStdout : this.onStderr)?.(chunk);
    const room = this.cap - this.kept;
    const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    (stream === 'stdout' ? this.out : this.err).push(part);
    this.kept += part.byteLength;
    if (chunk.byteLength > room) {
      this.truncated = true;
      this.onOverflow?.();
    }
  }

  bytes(stream: 'stdout' | 'stderr'): Buffer {
    return Buffer.concat(stream === 'stdout' ? this.out : this.err);
  }

  text(stream: 'stdout' | 'stderr'): string {
    return this.bytes(stream).toString('utf8');
  }
}

/** The default cap on kept output. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Ends a running command on its timeout or on its caller's abort, and remembers which (a timeout is exit 124,
 * an abort an ABORTED error). `dispose()` once the command has ended.
 */
export class ExecDeadline {
  timedOut = false;
  aborted = false;
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => {
    this.aborted = true;
    this.kill();
  };

  constructor(
    private readonly kill: () => void,
    private readonly options: { timeoutMs?: number; signal?: AbortSignal },
  ) {
    this.timer = options.timeoutMs
      ? setTimeout(() => {
          this.timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}
