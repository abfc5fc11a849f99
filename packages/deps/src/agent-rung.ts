import { ChatClient, type ChatClientOptions, LlmError } from '@repoforge/llm';
import type { FailureClass, Rung } from './ladder.js';
import type { EnvPlan } from './spec.js';

/** What an agent may change in a failing environment: the install command and the test command. */
export interface EnvRepairProposal {
  installCommand?: string;
  testCommand?: string;
  why?: string;
}

/** Asks something (a model, a person, a script) for a repair of a failing environment. */
export type ProposeRepair = (
  input: { spec: EnvPlan; failure: { class: FailureClass; detail: string; log: string } },
  options?: { signal?: AbortSignal },
) => Promise<EnvRepairProposal | undefined>;

const NOTE = 'agent proposal: ';

/**
 * The pluggable last rung: a proposal is tried like any rung's change, so it is accepted only through the same
 * verification (the tests must run); it never runs outside the build and test sandboxes. One proposal per
 * failing spec; off unless added to the ladder.
 */
export function proposalRung(propose: ProposeRepair, name = 'agent'): Rung {
  return {
    name,
    applies: (_failure, spec) => !spec.notes.some((n) => n.startsWith(NOTE)),
    apply: async (spec, failure, options) => {
      const p = await propose({ spec, failure }, options);
      if (!p || (!p.installCommand && !p.testCommand)) return undefined;
      const install =
        p.installCommand && spec.install.strategy !== 'apt' && spec.install.strategy !== 'pip'
          ? { ...spec.install, command: p.installCommand }
          : spec.install;
      return {
        ...spec,
        install,
        testCmd: p.testCommand ?? spec.testCmd,
        notes: [...spec.notes, `${NOTE}${p.why ?? 'no reason given'}`],
      };
    },
  };
}

/**
 * A ProposeRepair backed by an OpenAI-compatible chat endpoint (vLLM, SGLang, OpenAI) through @repoforge/llm:
 * it sees the plan and the tail of the failing log and answers JSON `{"install_command"?, "test_command"?,
 * "why"}`. A model that cannot be reached, or never answers in JSON, proposes nothing (the ladder then stops
 * as it would without the agent); an abort still aborts.
 */
export function openAiCompatibleRepair(options: ChatClientOptions & { model: string }): ProposeRepair {
  const client = new ChatClient({ reasks: 2, maxRetries: 2, ...options });
  return async ({ spec, failure }, options) => {
    const signal = options?.signal;
    const prompt = [
      "An environment for running a repository's tests failed. Propose a fix as JSON with optional keys",
      '"install_command" (replaces the dependency install) and "test_command" (replaces the test command),',
      'and "why". Answer with the JSON object only.',
      `Runtime: ${spec.runtime.name} ${spec.runtime.version}`,
      `Install: ${'command' in spec.install ? spec.install.command : spec.install.strategy}`,
      `Test command: ${spec.testCmd}`,
      `Failure class: ${failure.class} (${failure.detail})`,
      'Log tail:',
      failure.log.slice(-4000),
    ].join('\n');
    try {
      const answer = await client.complete([{ role: 'user', content: prompt }], {
        signal,
        validate: (t) => parseProposal(t) !== undefined,
      });
      return parseProposal(answer.content);
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof LlmError) return undefined;
      throw error;
    }
  };
}

/** The proposal in a model's answer (fences and prose around the JSON object are ignored). */
function parseProposal(content: string): EnvRepairProposal | undefined {
  const json = /\{[\s\S]*\}/.exec(content)?.[0];
  if (!json) return undefined;
  try {
    const p = JSON.parse(json) as { install_command?: unknown; test_command?: unknown; why?: unknown };
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    return { installCommand: str(p.install_command), testCommand: str(p.test_command), why: str(p.why) };
  } catch {
    return undefined;
  }
}
