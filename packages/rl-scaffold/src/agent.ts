import { randomBytes } from 'node:crypto';
import { materializeRepo, type RepoLocation } from '@repoforge/harness';
import { isEngineFault, type Sandbox } from '@repoforge/sandbox';
import type { ChatMessage, Instance, StopReason, TokenTrace, ToolCall, Trajectory } from '@repoforge/schema';
import type { Policy } from './policy.js';
import { TOOL_SPECS, ToolExecutor } from './tools.js';

export interface EpisodeOptions {
  instance: Instance;
  sandbox: Sandbox;
  policy: Policy;
  location: RepoLocation;
  sampleIndex?: number;
  policyVersion?: string | number;
  /** Default 35 (RepoForge's cap). */
  maxTurns?: number;
  /** Stop when prompt + completion tokens of the episode exceed this. */
  tokenBudget?: number;
  /** Keep the system and task messages and the last N turns when the history grows long (default: all). */
  keepLastTurns?: number;
  /** Check out into a random directory (anti-memorization) instead of /testbed. */
  randomWorkdir?: boolean;
  signal?: AbortSignal;
}

const SYSTEM = `You are a software engineer fixing an issue in a repository. Use the tools to explore, edit and test.
The repository is checked out at the directory named below; there is no network. Call finish when the fix is done.`;

/** The context policy: system + task, then the last `keep` assistant turns with their tool results. */
export function trimHistory(messages: readonly ChatMessage[], keep?: number): ChatMessage[] {
  if (!keep) return [...messages];
  const head = messages.slice(0, 2);
  const starts = messages.map((m, i) => (m.role === 'assistant' && i >= 2 ? i : -1)).filter((i) => i >= 0);
  if (starts.length <= keep) return [...messages];
  return [
    ...head,
    { role: 'user', content: `[${starts.length - keep} earlier turns omitted]` },
    ...messages.slice(starts[starts.length - keep]!),
  ];
}

/** Runs a turn's tool calls, answering each in `messages`; true when one of them was `finish`. */
async function runToolCalls(
  tools: ToolExecutor,
  calls: readonly ToolCall[],
  messages: ChatMessage[],
  signal?: AbortSignal,
): Promise<boolean> {
  let finished = false;
  for (const call of calls) {
    let args: Record<string, unknown> = {};
    try {
      args = JSON.parse(call.function.arguments || '{}');
    } catch {
      messages.push({ role: 'tool', tool_call_id: call.id, content: 'Error: arguments are not valid JSON' });
      continue;
    }
    const r = await tools.run(call.function.name, args, signal);
    messages.push({ role: 'tool', tool_call_id: call.id, content: r.output });
    if (r.finish) finished = true;
  }
  return finished;
}

/** The episode's patch: the working tree (new files included) against base, or undefined when unreadable. */
async function finalDiff(sandbox: Sandbox, dir: string, baseCommit: string) {
  return sandbox
    .exec(
      [
        '/bin/sh',
        '-c',
        `git add -A >/dev/null 2>&1; git -c core.fileMode=false diff --cached --no-color ${baseCommit}; git reset -q >/dev/null 2>&1`,
      ],
      { cwd: dir, user: '0' },
    )
    .catch((e: unknown) => {
      if (isEngineFault(e)) throw e;
      return undefined;
    });
}

/** Runs one agent episode; the final patch is `git diff` of the working tree (new files included) against base. */
export async function runEpisode(options: EpisodeOptions): Promise<Trajectory> {
  const { instance, sandbox, policy } = options;
  const dir = options.randomWorkdir ? `/work_${randomBytes(4).toString('hex')}` : '/testbed';
  const started = performance.now();
  await materializeRepo(sandbox, options.location, instance.base_commit, dir, options.signal);
  const tools = new ToolExecutor(sandbox, dir);
  const messages: ChatMessage[] = [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: `Repository: ${instance.repo} at ${dir}\n\n<issue>\n${instance.problem_statement}\n</issue>`,
    },
  ];
  const traces: TokenTrace[] = [];
  let tokens = 0;
  let stop: StopReason = 'max_turns';
  let error: string | undefined;
  let turns = 0;
  try {
    for (; turns < (options.maxTurns ?? 35); turns++) {
      options.signal?.throwIfAborted();
      const turn = await policy.next(
        trimHistory(messages, options.keepLastTurns),
        TOOL_SPECS,
        options.signal,
      );
      tokens += turn.usage.prompt_tokens + turn.usage.completion_tokens;
      messages.push({
        role: 'assistant',
        content: turn.message.content,
        ...(turn.message.tool_calls?.length ? { tool_calls: turn.message.tool_calls } : {}),
      });
      if (turn.tokenIds || turn.logprobs)
        traces.push({
          message_index: messages.length - 1,
          token_ids: turn.tokenIds,
          logprobs: turn.logprobs,
        });
      const calls = turn.message.tool_calls ?? [];
      if (calls.length === 0) {
        messages.push({ role: 'user', content: 'Use a tool, or call finish when you are done.' });
        continue;
      }
      const finished = await runToolCalls(tools, calls, messages, options.signal);
      if (finished) {
        stop = 'finish';
        turns++;
        break;
      }
      if (options.tokenBudget && tokens >= options.tokenBudget) {
        stop = 'token_budget';
        turns++;
        break;
      }
    }
  } catch (e) {
    // The sandbox went away: no trajectory of this episode is the policy's (the caller retries or leaves it).
    if (isEngineFault(e)) throw e;
    if (options.signal?.aborted) stop = 'aborted';
    else stop = 'error';
    error = e instanceof Error ? e.message : String(e);
  }
  const diff = await finalDiff(sandbox, dir, instance.base_commit);
  return {
    instance_id: instance.instance_id,
    sample_index: options.sampleIndex ?? 0,
    messages,
    tools: [...TOOL_SPECS],
    model_patch: diff?.stdout ?? null,
    reward: null,
    stop_reason: stop,
    ...(error ? { error } : {}),
    ...(options.policyVersion !== undefined ? { policy_version: options.policyVersion } : {}),
    ...(traces.length ? { token_traces: traces } : {}),
    metadata: { turns, tokens, workdir: dir, duration_ms: Math.round(performance.now() - started) },
  };
}
