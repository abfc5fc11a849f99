import { type ChatClient, LlmError, type LlmMessage } from '@repoforge/llm';
import { z } from 'zod';
import type { FeatureInput } from './features.js';
import { LABELS, type LabelName, labelRow, type Score, SpiceError, type SpiceLabels } from './labels.js';

const SYSTEM = `You review software-engineering tasks built from real repositories. Each task has an issue text, a
reference fix (patch) and tests that the fix makes pass. Score it on three 0-3 scales:

issue_clarity - is the issue clear enough to know what a correct solution must do, without the patch?
  0 well specified; 1 some blanks, but a sensible reading is clear; 2 vague, several readings are possible;
  3 almost impossible to know what is asked.
test_validity - would the tests reject correct solutions (names, messages or behaviours the issue never asks for)?
  0 tests accept all reasonable solutions; 1 most; 2 they miss or reject reasonable ones; 3 almost no correct
  solution other than the reference would pass.
difficulty - time for an engineer new to the codebase: 0 under 15 minutes; 1 15 minutes to 1 hour; 2 1 to 4 hours;
  3 more than 4 hours.

Answer with one JSON object and nothing else:
{"issue_clarity": n, "test_validity": n, "difficulty": n,
 "rationales": {"issue_clarity": "...", "test_validity": "...", "difficulty": "..."}}`;

/** The prompt for one instance (the rubric above, the task, and optional repo context). */
export function spicePrompt(instance: FeatureInput, repoMap = ''): LlmMessage[] {
  const user = [
    `# Issue\n${instance.problem_statement}`,
    `# Reference fix\n\`\`\`diff\n${instance.patch}\n\`\`\``,
    `# Tests added or changed\n\`\`\`diff\n${instance.test_patch}\n\`\`\``,
    `# Tests that must go from failing to passing\n${instance.FAIL_TO_PASS.join('\n')}`,
    repoMap ? `# Code around the change (at the base commit)\n${repoMap}` : '',
  ].filter(Boolean);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user.join('\n\n') },
  ];
}

const Answer = z.object({
  issue_clarity: z.coerce.number().int().min(0).max(3),
  test_validity: z.coerce.number().int().min(0).max(3),
  difficulty: z.coerce.number().int().min(0).max(3),
  rationales: z.record(z.string(), z.string()).default({}),
});
export type Answer = z.infer<typeof Answer>;

/**
 * Pulls the scores out of a model's answer, whatever surrounds them: `<think>` blocks, prose, code fences; the
 * last valid JSON object wins. When no object parses (an answer cut off by the token limit inside a long
 * rationale, single quotes, trailing commas), the last `label: n` of each label is taken, if all three are
 * there. Undefined when the scores are not all there.
 */
export function extractScores(text: string): Answer | undefined {
  const cleaned = text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
  for (const c of jsonObjects(cleaned).reverse()) {
    try {
      const parsed = Answer.safeParse(JSON.parse(c));
      if (parsed.success) return parsed.data;
    } catch {}
  }
  return scoresByName(cleaned);
}

/** Every balanced `{...}` in the text (strings and escapes respected), in order. */
function jsonObjects(text: string): string[] {
  const found: string[] = [];
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
    let depth = 0;
    let inString = false;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        found.push(text.slice(i, j + 1));
        break;
      }
    }
  }
  return found;
}

/** The last `"label": n` (quotes optional, `:` or `=`) of each label; undefined unless all three are there. */
function scoresByName(text: string): Answer | undefined {
  const scores: Partial<Record<LabelName, number>> = {};
  for (const m of text.matchAll(
    /["']?\b(issue_clarity|test_validity|difficulty)\b["']?\s*[:=]\s*["']?([0-3])\b/g,
  ))
    scores[m[1] as LabelName] = Number(m[2]);
  const parsed = Answer.safeParse({ ...scores, rationales: {} });
  return parsed.success ? parsed.data : undefined;
}

/** Why a pass gave no vote: the model refused or never answered usably after its re-asks. */
const isUnusableAnswer = (error: unknown): error is LlmError =>
  error instanceof LlmError && (error.code === 'LLM_MALFORMED' || error.code === 'LLM_REFUSED');

/**
 * Labels one instance with `passes` LLM passes and SPICE's consensus. A pass whose answers stay unusable
 * (malformed or refused after the client's re-asks) gives no vote, and the consensus is over the votes that
 * came, as long as there are `minVotes` (default: a majority of the passes); otherwise `NOT_ENOUGH_VOTES`. Cost
 * counts every answer paid for, the unusable ones too. HTTP failures and aborts end the call as they are.
 */
export async function labelWithLlm(
  instance: FeatureInput & { instance_id: string },
  client: ChatClient,
  options: {
    passes?: number;
    minVotes?: number;
    repoMap?: string;
    method?: 'mode-median' | 'max';
    signal?: AbortSignal;
  } = {},
): Promise<SpiceLabels> {
  const messages = spicePrompt(instance, options.repoMap);
  const passes = options.passes ?? 3;
  const answers: Answer[] = [];
  const failures: LlmError[] = [];
  let cost = 0;
  for (let pass = 0; pass < passes; pass++) {
    try {
      const r = await client.complete(messages, {
        temperature: 0.7,
        seed: pass,
        signal: options.signal,
        validate: (t) => extractScores(t) !== undefined,
      });
      answers.push(extractScores(r.content)!);
      cost += r.costUsd;
    } catch (error) {
      if (!isUnusableAnswer(error)) throw error;
      failures.push(error);
      cost += error.costUsd;
    }
  }
  const minVotes = options.minVotes ?? Math.floor(passes / 2) + 1;
  if (answers.length < minVotes)
    throw new SpiceError(
      'NOT_ENOUGH_VOTES',
      `${instance.instance_id}: ${answers.length} of ${passes} passes gave scores (${minVotes} needed); ` +
        `last: ${failures.at(-1)?.message ?? 'none'}`,
      { cause: failures.at(-1), costUsd: cost },
    );
  const votes = {} as Record<LabelName, Score[]>;
  const rationales = {} as Record<LabelName, string[]>;
  for (const label of LABELS) {
    votes[label] = answers.map((a) => a[label] as Score);
    rationales[label] = answers.map((a) => a.rationales[label] ?? '');
  }
  return labelRow({
    instanceId: instance.instance_id,
    votes,
    rationales,
    costUsd: cost,
    source: 'llm',
    method: options.method,
  });
}
