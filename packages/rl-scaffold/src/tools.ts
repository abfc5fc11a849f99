import { posix } from 'node:path';
import { isEngineFault, type Sandbox } from '@repoforge/sandbox';

/** The tools in OpenAI function-calling form (what the policy sees). */
export const TOOL_SPECS = [
  {
    type: 'function',
    function: {
      name: 'execute_bash',
      description: 'Run a bash command in the repository (no network). Long output keeps its head and tail.',
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'string' },
          timeout: { type: 'number', description: 'seconds (default 120)' },
        },
        required: ['command'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'str_replace_editor',
      description:
        'View, create and edit files. view: a file with line numbers (view_range [start, end]) or a directory listing; create: write file_text; str_replace: replace old_str (must occur exactly once) with new_str; insert: new_str after line insert_line; undo_edit: revert the last edit of path. Paths are absolute.',
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'] },
          path: { type: 'string' },
          file_text: { type: 'string' },
          old_str: { type: 'string' },
          new_str: { type: 'string' },
          insert_line: { type: 'integer' },
          view_range: { type: 'array', items: { type: 'integer' } },
        },
        required: ['command', 'path'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'finish',
      description: 'Stop: the work is done.',
      parameters: { type: 'object', properties: {} },
    },
  },
] as const;

/** Keeps the head and the tail of long output (the middle is what an agent can most afford to lose). */
export function truncateMiddle(text: string, max = 10_000): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n[... ${text.length - max} characters cut ...]\n${text.slice(-half)}`;
}

/** The result of one tool call: text for the model, and whether the episode ends. */
export interface ToolResult {
  output: string;
  finish?: boolean;
}

/**
 * Runs tool calls directly in the sandbox by exec (nothing installed in the container). Editor history lives
 * here, per path, for undo_edit. Errors are results the model reads, never exceptions.
 */
export class ToolExecutor {
  private readonly history = new Map<string, (string | null)[]>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly cwd: string,
    private readonly options: { maxOutputChars?: number; defaultTimeoutSec?: number } = {},
  ) {}

  async run(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
    try {
      if (name === 'finish') return { output: 'Finished.', finish: true };
      if (name === 'execute_bash')
        return {
          output: await this.bash(
            String(args.command ?? ''),
            Number(args.timeout ?? this.options.defaultTimeoutSec ?? 120),
            signal,
          ),
        };
      if (name === 'str_replace_editor') return { output: await this.editor(args, signal) };
      return { output: `Error: unknown tool '${name}'. Tools: execute_bash, str_replace_editor, finish.` };
    } catch (error) {
      // A lost sandbox or engine is no tool result for the model to react to: the episode cannot go on.
      if (signal?.aborted || isEngineFault(error)) throw error;
      return { output: `Error: ${(error as Error).message}` };
    }
  }

  private async bash(command: string, timeoutSec: number, signal?: AbortSignal): Promise<string> {
    if (!command.trim()) return 'Error: empty command';
    const r = await this.sandbox.exec(['/bin/bash', '-c', command], {
      cwd: this.cwd,
      timeoutMs: timeoutSec * 1000,
      keepBackground: true,
      maxOutputBytes: 4 << 20,
      signal,
    });
    const out = truncateMiddle(
      `${r.stdout}${r.stderr ? (r.stdout ? '\n' : '') + r.stderr : ''}`,
      this.options.maxOutputChars,
    );
    return `${out}${r.timedOut ? `\n[timed out after ${timeoutSec} s]` : ''}\n[exit code: ${r.exitCode}]`;
  }

  private async read(path: string): Promise<string | null> {
    try {
      return Buffer.from(await this.sandbox.readFile(path)).toString('utf8');
    } catch (error) {
      if (isEngineFault(error)) throw error; // not "no such file": nothing can be read any more
      return null;
    }
  }

  private async isDir(path: string): Promise<boolean> {
    return (await this.sandbox.exec(['test', '-d', path])).exitCode === 0;
  }

  private remember(path: string, before: string | null): void {
    this.history.set(path, [...(this.history.get(path) ?? []), before]);
  }

  private async editor(args: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const command = String(args.command ?? '');
    const path = String(args.path ?? '');
    if (!posix.isAbsolute(path)) return `Error: path must be absolute, got '${path}'`;
    if (command === 'view') {
      if (await this.isDir(path)) {
        const r = await this.sandbox.exec(['find', path, '-maxdepth', '2', '-not', '-path', '*/.*'], {
          signal,
        });
        return `Files and directories up to 2 levels deep in ${path}:\n${r.stdout.split('\n').filter(Boolean).sort().join('\n')}`;
      }
      const text = await this.read(path);
      if (text === null) return `Error: ${path} does not exist`;
      const lines = text.split('\n');
      const [start = 1, endRaw = lines.length] = (args.view_range as number[] | undefined) ?? [];
      const end = endRaw === -1 ? lines.length : endRaw;
      if (start < 1 || start > lines.length || end < start)
        return `Error: invalid view_range [${start}, ${end}] for a file of ${lines.length} lines`;
      return lines
        .slice(start - 1, end)
        .map((l, i) => `${String(start + i).padStart(6)}\t${l}`)
        .join('\n');
    }
    if (command === 'create') {
      if (typeof args.file_text !== 'string') return 'Error: create needs file_text';
      const before = await this.read(path);
      this.remember(path, before);
      await this.sandbox.writeFiles([{ path, content: args.file_text }], { signal });
      return before === null ? `File created at ${path}` : `File ${path} overwritten`;
    }
    if (command === 'str_replace') {
      const text = await this.read(path);
      if (text === null) return `Error: ${path} does not exist`;
      const oldStr = String(args.old_str ?? '');
      if (!oldStr) return 'Error: str_replace needs a non-empty old_str';
      const count = text.split(oldStr).length - 1;
      if (count === 0) return `Error: old_str not found in ${path}; nothing replaced`;
      if (count > 1) {
        const lines = text.split('\n').flatMap((l, i) => (l.includes(oldStr.split('\n')[0]!) ? [i + 1] : []));
        return `Error: old_str occurs ${count} times in ${path} (lines ${lines.join(', ')}); make it unique`;
      }
      this.remember(path, text);
      const next = text.replace(oldStr, () => String(args.new_str ?? ''));
      await this.sandbox.writeFiles([{ path, content: next }], { signal });
      return `The file ${path} has been edited.`;
    }
    if (command === 'insert') {
      const text = await this.read(path);
      if (text === null) return `Error: ${path} does not exist`;
      const lines = text.split('\n');
      const at = Number(args.insert_line);
      if (!Number.isInteger(at) || at < 0 || at > lines.length)
        return `Error: insert_line must be within [0, ${lines.length}]`;
      this.remember(path, text);
      lines.splice(at, 0, ...String(args.new_str ?? '').split('\n'));
      await this.sandbox.writeFiles([{ path, content: lines.join('\n') }], { signal });
      return `Inserted after line ${at} of ${path}.`;
    }
    if (command === 'undo_edit') {
      const stack = this.history.get(path);
      if (!stack?.length) return `Error: no edit of ${path} to undo`;
      const before = stack.pop()!;
      if (before === null) await this.sandbox.exec(['rm', '-f', path], { signal });
      else await this.sandbox.writeFiles([{ path, content: before }], { signal });
      return `Last edit of ${path} undone.`;
    }
    return `Error: unknown command '${command}' (view, create, str_replace, insert, undo_edit)`;
  }
}
