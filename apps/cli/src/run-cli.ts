import { toRepoForgeError } from '@repoforge/schema';
import {
  type CliIO,
  type Command,
  helpText,
  parseCommandArgs,
  resolveCommand,
  UsageError,
} from './command.js';
import { rootCommand } from './commands/root.js';
import { envValues, loadConfig } from './config.js';

/** Exit codes: 0 ok, 1 the job failed, 2 bad usage or input. */
const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs the CLI on argv and returns the exit code. Never calls process.exit (bin.ts does), so tests can
 * drive it in-process with buffered IO.
 */
export async function runCli(
  argv: string[],
  io: CliIO,
  options: { signal?: AbortSignal; root?: Command } = {},
): Promise<number> {
  const root = options.root ?? rootCommand;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const json = argv.includes('--json');
  // `repoforge --version` / `-V`, as every CLI has, beside the `version` command.
  const words = argv[0] === '--version' || argv[0] === '-V' ? ['version', ...argv.slice(1)] : argv;
  try {
    const { path, cmd, args } = resolveCommand(root, words);
    const parsed = parseCommandArgs(path, cmd, args);
    // Flags over environment over config file; defaults only where none of them speaks.
    const config = loadConfig(root, io.cwd, parsed.values.config as string | undefined);
    const fromEnv = envValues(io.env, Object.keys(cmd.options ?? {}));
    for (const [name, spec] of Object.entries(cmd.options ?? {})) {
      if (!parsed.explicit.has(name)) {
        const v = fromEnv[name] ?? config[name];
        if (v !== undefined)
          parsed.values[name] = spec.type === 'boolean' ? v === true || v === 'true' || v === '1' : v;
      }
    }
    if (parsed.values.help || !cmd.run) {
      io.stdout.write(helpText(path, cmd));
      return cmd.run || parsed.values.help ? EXIT.ok : EXIT.usage;
    }
    return await cmd.run({
      io,
      signal: options.signal ?? new AbortController().signal,
      values: parsed.values,
      positionals: parsed.positionals,
      rest: parsed.rest,
      json: parsed.values.json === true,
      verbose,
    });
  } catch (error) {
    // Bad input (a malformed row, an unknown id, an invalid env spec) is exit 2, like bad usage: the error's
    // own kind says so, whichever package threw it.
    const err = toRepoForgeError(error);
    const usage = err.kind === 'input';
    const code = err.code === 'INTERNAL' ? '' : ` [${err.code}]`;
    const message = err.message;
    if (json) {
      // With --json, a failure is JSON on stdout too: scripts read one stream, one shape.
      const errorCode = err.code;
      const hint = error instanceof UsageError ? error.hint : undefined;
      io.stdout.write(
        `${JSON.stringify({ error: { code: errorCode, message, hint, exitCode: usage ? EXIT.usage : EXIT.failure } })}\n`,
      );
    }
    io.stderr.write(`repoforge: ${message}${usage ? '' : code}\n`);
    if (error instanceof UsageError && error.hint) io.stderr.write(`hint: ${error.hint}\n`);
    else if (!usage && !verbose) io.stderr.write('hint: run again with --verbose for details\n');
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return usage ? EXIT.usage : EXIT.failure;
  }
}
