import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI, as users run it. */
const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');

/** A CLI process whose stderr lines are kept in `err`. */
export type CliProcess = ChildProcess & { err: string[] };

/** Spawns CLI processes for a test and kills what is left of them (`killAll`, in afterEach). */
export function cliProcesses() {
  const procs: ChildProcess[] = [];
  return {
    cli(args: string[], cwd: string): CliProcess {
      const p = spawn('node', [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }) as CliProcess;
      p.err = [];
      p.stderr!.on('data', (d) => p.err.push(...String(d).split('\n').filter(Boolean)));
      p.stdout!.resume();
      procs.push(p);
      return p;
    },
    killAll() {
      for (const p of procs.splice(0)) p.kill('SIGKILL');
    },
  };
}

/** The exit code of a process (at once if it has exited). */
export const exited = (p: ChildProcess) =>
  new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

/** Polls `cond` until it holds (throws after `ms`). */
export async function until(cond: () => boolean, ms = 120_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 100)))
    if (Date.now() > end) throw new Error('timed out waiting');
}
