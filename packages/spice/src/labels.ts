import { RepoForgeError } from '@repoforge/schema';
import { z } from 'zod';

/** A labelling failure; `costUsd` is what was spent on it (model answers that gave no usable vote). */
export class SpiceError extends RepoForgeError {
  declare readonly code: 'NO_VOTES' | 'NOT_ENOUGH_VOTES';
  readonly costUsd: number;

  constructor(
    code: 'NO_VOTES' | 'NOT_ENOUGH_VOTES',
    message: string,
    options?: { cause?: unknown; costUsd?: number },
  ) {
    super(code, message, options);
    this.costUsd = options?.costUsd ?? 0;
  }
}

/** A 0-3 score on the SWE-bench Verified rubric. */
export const Score = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
export type Score = z.infer<typeof Score>;

/** The three SPICE labels. */
export const LABELS = ['issue_clarity', 'test_validity', 'difficulty'] as const;
export type LabelName = (typeof LABELS)[number];

/** Difficulty buckets, in score order. */
export const DIFFICULTY_BUCKETS = ['<15 min fix', '15 min - 1 hour', '1-4 hours', '>4 hours'] as const;

export function difficultyScore(bucket: string): Score | undefined {
  const i = (DIFFICULTY_BUCKETS as readonly string[]).indexOf(bucket);
  return i < 0 ? undefined : (i as Score);
}

/** One output row of `spice label`. */
export const SpiceLabels = z.object({
  instance_id: z.string(),
  issue_clarity: Score,
  test_validity: Score,
  difficulty: Score,
  votes: z.record(z.string(), z.array(Score)),
  rationales: z.record(z.string(), z.array(z.string())),
  controversial: z.boolean(),
  keep: z.boolean(),
  cost_usd: z.number(),
  source: z.enum(['llm', 'offline']),
});
export type SpiceLabels = z.infer<typeof SpiceLabels>;

/**
 * SPICE's consensus of votes: the mode when a value repeats, else the median (lower middle); `max` is
 * SWE-bench's ensemble (the most severe vote).
 */
export function consensus(votes: readonly Score[], method: 'mode-median' | 'max' = 'mode-median'): Score {
  if (votes.length === 0) throw new SpiceError('NO_VOTES', 'consensus of no votes');
  if (method === 'max') return Math.max(...votes) as Score;
  const counts = new Map<Score, number>();
  for (const v of votes) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = Math.max(...counts.values());
  if (top > 1) {
    const modes = [...counts.entries()].filter(([, c]) => c === top).map(([v]) => v);
    if (modes.length === 1) return modes[0]!;
  }
  const sorted = [...votes].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Votes on both sides of the 1|2 line (some keep, some drop). */
export const isControversial = (votes: readonly Score[]) =>
  votes.some((v) => v <= 1) && votes.some((v) => v >= 2);

/** RepoForge's filter: keep when all three labels are <= 1. */
export const keepInstance = (l: { issue_clarity: number; test_validity: number; difficulty: number }) =>
  l.issue_clarity <= 1 && l.test_validity <= 1 && l.difficulty <= 1;

/** SWE-bench's filter_out: underspecified >= 2 or false_negative >= 2 or other major issues. */
export const sweBenchFilterOut = (l: {
  issue_clarity: number;
  test_validity: number;
  other_major_issues?: number;
}) => l.issue_clarity >= 2 || l.test_validity >= 2 || (l.other_major_issues ?? 0) >= 1;

/**
 * One output row from votes per label: SPICE's consensus, `controversial` when votes straddle 1|2, `keep` by
 * RepoForge's filter.
 */
export function labelRow(input: {
  instanceId: string;
  votes: Record<LabelName, Score[]>;
  rationales: Record<LabelName, string[]>;
  costUsd: number;
  source: 'llm' | 'offline';
  method?: 'mode-median' | 'max';
}): SpiceLabels {
  const labels = {
    issue_clarity: consensus(input.votes.issue_clarity, input.method),
    test_validity: consensus(input.votes.test_validity, input.method),
    difficulty: consensus(input.votes.difficulty, input.method),
  };
  return {
    instance_id: input.instanceId,
    ...labels,
    votes: input.votes,
    rationales: input.rationales,
    controversial: LABELS.some((l) => isControversial(input.votes[l])),
    keep: keepInstance(labels),
    cost_usd: Math.round(input.costUsd * 1e6) / 1e6,
    source: input.source,
  };
}
