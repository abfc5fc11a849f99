import type { CliIO } from './command.js';

/** The logger the CLI hands to packages: warnings always, info/debug with --verbose, to stderr. */
export function cliLogger(io: CliIO, verbose: boolean) {
  const line = (level: string, message: string, data?: Record<string, unknown>) =>
    io.stderr.write(`[${level}] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
  return {
    debug: (m: string, d?: Record<string, unknown>) => verbose && line('debug', m, d),
    info: (m: string, d?: Record<string, unknown>) => verbose && line('info', m, d),
    warn: (m: string, d?: Record<string, unknown>) => line('warn', m, d),
  };
}
