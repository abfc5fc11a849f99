import type { CliIO } from './command.js';

/** Buffered IO for driving the CLI in tests. */
export function bufferedIO(env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    env,
    cwd: process.cwd(),
  };
  return { io, stdout: () => out, stderr: () => err };
}
