import type { ChatClient, LlmMessage } from '@repoforge/llm';
import { z } from 'zod';
import type { FeatureInput } from './features.js';
import { LABELS, type LabelName, labelRow, type Score, type SpiceLabels } from './labels.js';

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
 * last valid JSON object wins. Undefined when there is none.
 */
export function extractScores(text: string): Answer | undefined {
  const cleaned = text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/<think>[\s\S]*$/i, '');
  const candidates: string[] = [];
  for (let i = cleaned.indexOf('{'); i >= 0; i = cleaned.indexOf('{', i + 1)) {
    let depth = 0;
    let inString = false;
    for (let j = i; j < cleaned.length; j++) {
      const c = cleaned[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        candidates.push(cleaned.slice(i, j + 1));
        break;
      }
    }
  }
  for (const c of candidates.reverse()) {
    try {
      const parsed = Answer.safeParse(JSON.parse(c));
      if (parsed.success) return parsed.data;
    } catch {}
  }
  return undefined;
}

/** Labels one instance with `passes` LLM passes and SPICE's consensus. */
export async function labelWithLlm(
  instance: FeatureInput & { instance_id: string },
  client: ChatClient,
  options: { passes?: number; repoMap?: string; method?: 'mode-median' | 'max'; signal?: AbortSignal } = {},
): Promise<SpiceLabels> {
  const messages = spicePrompt(instance, options.repoMap);
  const answers: Answer[] = [];
  let cost = 0;
  for (let pass = 0; pass < (options.passes ?? 3); pass++) {
    const r = await client.complete(messages, {
      temperature: 0.7,
      seed: pass,
      signal: options.signal,
      validate: (t) => extractScores(t) !== undefined,
    });
    answers.push(extractScores(r.content)!);
    cost += r.costUsd;
  }
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
