import { parseArgs } from 'node:util';
import { RepoForgeError } from '@repoforge/schema';

/** Where the CLI writes; the real process streams in bin.ts, buffers in tests. */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/** One option of a command, in node:util parseArgs terms plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  description: string;
  /** Placeholder shown in help, e.g. `IMAGE`. */
  value?: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandContext {
  io: CliIO;
  signal: AbortSignal;
  values: ParsedValues;
  positionals: string[];
  /** Arguments after a bare `--`, passed through untouched. */
  rest: string[];
  json: boolean;
  verbose: boolean;
}

/** A node of the command tree: a group (subcommands) or a leaf (run). */
export interface Command {
  name: string;
  summary: string;
  usage?: string;
  examples?: string[];
  options?: Record<string, OptionSpec>;
  positionals?: boolean;
  subcommands?: Command[];
  run?(ctx: CommandContext): Promise<number>;
}

/** Bad usage or bad input: exit code 2, with a hint. */
export class UsageError extends RepoForgeError {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
    this.hint = hint;
  }
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
  json: { type: 'boolean', description: 'machine-readable JSON output' },
  verbose: { type: 'boolean', short: 'v', description: 'stack traces and debug logs' },
  config: {
    type: 'string',
    value: 'FILE',
    description: 'config file (default ./repoforge.config.json; flags > REPOFORGE_* env > file)',
  },
};

function optionLine(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  const def = o.default !== undefined && o.default !== false ? ` (default ${String(o.default)})` : '';
  return `  ${flag.padEnd(32)} ${o.description}${def}`;
}

/** Help text of a command: usage, summary, subcommands, options, examples. */
export function helpText(path: string[], cmd: Command): string {
  const lines = [
    `Usage: ${cmd.usage ?? `${path.join(' ')}${cmd.subcommands ? ' <command>' : ''} [options]`}`,
    '',
    cmd.summary,
  ];
  if (cmd.subcommands?.length) {
    lines.push('', 'Commands:');
    for (const s of cmd.subcommands) lines.push(`  ${s.name.padEnd(14)} ${s.summary}`);
    lines.push('', `Run '${path.join(' ')} <command> --help' for a command's options.`);
  }
  const opts = { ...cmd.options, ...GLOBAL_OPTIONS };
  lines.push('', 'Options:', ...Object.entries(opts).map(([n, o]) => optionLine(n, o)));
  if (cmd.examples?.length) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  $ ${e}`));
  return `${lines.join('\n')}\n`;
}

/** Splits argv at the first bare `--`. */
function splitRest(argv: string[]): [string[], string[]] {
  const i = argv.indexOf('--');
  return i < 0 ? [argv, []] : [argv.slice(0, i), argv.slice(i + 1)];
}

/** Walks the tree to the leaf named by argv; returns the path, the command and the remaining args. */
export function resolveCommand(
  root: Command,
  argv: string[],
): { path: string[]; cmd: Command; args: string[] } {
  const path = [root.name];
  let cmd = root;
  let args = argv;
  // Global options may come before the command words (`repoforge --config c.json eval run`): carry them along.
  const hoisted: string[] = [];
  while (cmd.subcommands && args[0]) {
    const width = globalOptionWidth(args[0]);
    if (width) {
      hoisted.push(...args.slice(0, width));
      args = args.slice(width);
      continue;
    }
    if (args[0].startsWith('-')) break;
    const next = cmd.subcommands.find((s) => s.name === args[0]);
    if (!next) {
      throw new UsageError(
        `unknown command '${[...path, args[0]].slice(1).join(' ')}'`,
        `run '${path.join(' ')} --help' to list commands`,
      );
    }
    path.push(next.name);
    cmd = next;
    args = args.slice(1);
  }
  return { path, cmd, args: [...hoisted, ...args] };
}

/** How many words a global option takes at the head of argv (0: not a global option). */
function globalOptionWidth(word: string): number {
  const [flag, inline] = word.split('=', 2) as [string, string | undefined];
  const entry = Object.entries(GLOBAL_OPTIONS).find(
    ([name, o]) => flag === `--${name}` || (o.short !== undefined && flag === `-${o.short}`),
  );
  if (!entry) return 0;
  return entry[1].type === 'string' && inline === undefined ? 2 : 1;
}

/** Parses a leaf's options strictly; unknown flags are usage errors naming the flag. */
export function parseCommandArgs(path: string[], cmd: Command, argv: string[]) {
  const [args, rest] = splitRest(argv);
  const options = Object.fromEntries(
    Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS }).map(([n, o]) => {
      const spec: Record<string, unknown> = { type: o.type };
      if (o.short) spec.short = o.short;
      if (o.multiple) spec.multiple = true;
      if (o.default !== undefined) spec.default = o.default;
      return [n, spec];
    }),
  );
  try {
    const parsed = parseArgs({
      args,
      options: options as never,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    if (parsed.positionals.length && !cmd.positionals && !cmd.subcommands) {
      throw new UsageError(
        `unexpected argument '${parsed.positionals[0]}'`,
        `run '${path.join(' ')} --help'`,
      );
    }
    // Which options the user typed (defaults are filled in by parseArgs too): config and env only fill the rest.
    const explicit = new Set(
      parsed.tokens?.filter((t) => t.kind === 'option').map((t) => (t as { name: string }).name) ?? [],
    );
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals, rest, explicit };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code;
    const flag = /option '(-{1,2}[^']+)'/.exec(error instanceof Error ? error.message : '')?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const known = Object.keys({ ...cmd.options, ...GLOBAL_OPTIONS });
      const near = closest(flag.replace(/^-+/, '').split('=')[0]!, known);
      throw new UsageError(
        `unknown option ${flag}${near ? ` (did you mean --${near}?)` : ''}`,
        `run '${path.join(' ')} --help'`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split('\n')[0]!, `run '${path.join(' ')} --help'`, { cause: error });
  }
}

/** The known name nearest to `typed` (edit distance at most a third of its length), for "did you mean". */
function closest(typed: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  const best = known.map((k) => ({ k, d: distance(typed, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.k : undefined;
}
