import type { OnProgress } from '@repoforge/schema';
import type { CliIO } from './command.js';

/**
 * A progress display: a redrawn bar with count, rate and ETA on a TTY; plain log lines otherwise (CI).
 */
export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly io: CliIO,
    private readonly label: string,
    private total: number,
    private readonly tty = io.stderr.isTTY === true,
  ) {}

  setTotal(total: number): void {
    this.total = total;
    this.draw(true);
  }

  /** Marks one item done, with a short note (shown as a line when not on a TTY). */
  tick(note: string, extra = ''): void {
    this.done++;
    if (!this.tty) {
      this.io.stderr.write(`[${this.label}] ${this.done}/${this.total} ${note}${extra ? ` ${extra}` : ''}\n`);
      return;
    }
    this.extra = extra;
    this.draw(this.done === this.total);
  }

  private extra = '';

  private draw(force: boolean): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const frac = this.total ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : undefined;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `${this.label} ${bar} ${this.done}/${this.total} ${Math.round(frac * 100)}% ${rate.toFixed(2)}/s ETA ${eta === undefined ? '?' : `${eta}s`} ${this.extra}`;
    this.io.stderr.write(`\r\x1b[2K${line}`);
  }

  private stageText: string | undefined;
  private stageSince = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  /**
   * What is happening now (an environment build, a long test run): on a TTY it rides on the bar; elsewhere it
   * is printed at once and then every `everyMs` while it lasts, so a log never goes silent for minutes.
   */
  stage(text: string | undefined, everyMs = 30_000): void {
    this.stageText = text;
    this.stageSince = Date.now();
    if (this.tty) {
      this.extra = text ?? this.extra;
      this.draw(true);
      return;
    }
    if (!text) return;
    this.io.stderr.write(`[${this.label}] ${text}\n`);
    this.heartbeat ??= setInterval(() => {
      if (!this.stageText) return;
      const secs = Math.round((Date.now() - this.stageSince) / 1000);
      this.io.stderr.write(`[${this.label}] still ${this.stageText} (${secs} s)\n`);
    }, everyMs);
    this.heartbeat.unref?.();
  }

  /**
   * Renders a library call's progress events (schema's one `ProgressEvent` shape): `start` sets the total,
   * `working` is the stage (with the item's id), `done` a tick whose note `describe` writes; `extra` rides on
   * the bar (a running count).
   */
  listen<T>(describe: (id: string, result: T) => string, extra?: () => string): OnProgress<T> {
    return (event) => {
      if (event.type === 'start') this.setTotal(event.total);
      else if (event.type === 'working') this.stage(`${event.id}: ${event.what}`);
      else this.tick(`${event.id}: ${describe(event.id, event.result)}`, extra?.());
    };
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.tty) {
      this.draw(true);
      this.io.stderr.write('\n');
    }
  }
}
