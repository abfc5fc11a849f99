import { z } from 'zod';
import type { AlternativeFix } from './alternatives.js';
import { Score } from './labels.js';
import { type Agreement, agreement, annotationScore } from './metrics.js';

/** What an evaluation run says of one alternative (harness `readRunResults` rows have this shape). */
export interface AlternativeRun {
  instance_id: string;
  status: 'resolved' | 'unresolved' | 'not applied' | 'error';
  f2p: { success: number; failure: number };
  durationMs?: number;
}

/** Test validity from execution: whether the FAIL_TO_PASS tests accept fixes that differ where no one asked. */
export const ExecutionEvidence = z.object({
  instance_id: z.string(),
  /**
   * 2 when a FAIL_TO_PASS test rejected an alternative fix the reference passes (tests likely reject valid
   * solutions), 0 when every alternative passed; null when there is no evidence (no alternative, or the
   * reference fix itself does not pass here: an environment that cannot run the tests says nothing).
   */
  test_validity: Score.nullable(),
  outcome: z.enum(['rejects_alternatives', 'accepts_alternatives', 'no_alternative', 'error']),
  /** Each alternative tried, and what its FAIL_TO_PASS tests did. */
  alternatives: z.array(
    z.object({
      kind: z.string(),
      changes: z.array(z.object({ from: z.string(), to: z.string() })),
      f2p_failed: z.number().int(),
      status: z.string(),
    }),
  ),
  reason: z.string().optional(),
  /** Seconds the evaluation runs took (control included): what this evidence cost. */
  seconds: z.number(),
});
export type ExecutionEvidence = z.infer<typeof ExecutionEvidence>;

/**
 * The execution evidence of each instance whose alternatives ran (`alternativesRun` + `eval run`). Instances
 * whose alternatives have no run yet are left out, so a partial run gives partial evidence.
 */
export function executionEvidence(
  alternatives: readonly AlternativeFix[],
  runs: readonly AlternativeRun[],
): ExecutionEvidence[] {
  const runOf = new Map(runs.map((r) => [r.instance_id, r]));
  const byInstance = new Map<string, AlternativeFix[]>();
  for (const a of alternatives) byInstance.set(a.instance_id, [...(byInstance.get(a.instance_id) ?? []), a]);
  const out: ExecutionEvidence[] = [];
  for (const [instance_id, alts] of byInstance) {
    if (!alts.every((a) => runOf.has(a.id))) continue;
    out.push(evidenceOf(instance_id, alts, runOf));
  }
  return out;
}

function evidenceOf(
  instance_id: string,
  alts: readonly AlternativeFix[],
  runOf: ReadonlyMap<string, AlternativeRun>,
): ExecutionEvidence {
  const seconds = alts.reduce((s, a) => s + (runOf.get(a.id)!.durationMs ?? 0) / 1000, 0);
  const control = alts.find((a) => a.kind === 'control');
  const tried = alts
    .filter((a) => a.kind !== 'control')
    .map((a) => {
      const run = runOf.get(a.id)!;
      return { kind: a.kind, changes: a.changes, f2p_failed: run.f2p.failure, status: run.status };
    });
  const base = { instance_id, alternatives: tried, seconds: Math.round(seconds * 10) / 10 };
  if (!tried.length) return { ...base, test_validity: null, outcome: 'no_alternative' };
  const controlRun = control && runOf.get(control.id);
  if (controlRun?.status !== 'resolved')
    return {
      ...base,
      test_validity: null,
      outcome: 'error',
      reason: `the reference fix itself is ${controlRun?.status ?? 'not run'} here: no evidence`,
    };
  const broken = tried.find((t) => t.status === 'error' || t.status === 'not applied');
  if (broken)
    return {
      ...base,
      test_validity: null,
      outcome: 'error',
      reason: `the ${broken.kind} alternative: ${broken.status}`,
    };
  const rejected = tried.some((t) => t.f2p_failed > 0);
  return {
    ...base,
    test_validity: rejected ? 2 : 0,
    outcome: rejected ? 'rejects_alternatives' : 'accepts_alternatives',
  };
}

/**
 * Agreement of execution evidence with human test-validity annotations (`false_negative` of SWE-bench
 * Verified's CSV), over the instances that have both; `covered` is how many instances had evidence at all.
 */
export function evidenceAgreement(
  evidence: readonly ExecutionEvidence[],
  annotations: readonly Record<string, string>[],
): Agreement & { covered: number } {
  const byId = new Map(annotations.map((a) => [a.instance_id, a]));
  const truth: number[] = [];
  const predicted: number[] = [];
  for (const e of evidence) {
    const row = byId.get(e.instance_id);
    const human = row && annotationScore(row, 'false_negative');
    if (e.test_validity === null || human === undefined) continue;
    truth.push(human);
    predicted.push(e.test_validity);
  }
  return { ...agreement(truth, predicted), covered: evidence.filter((e) => e.test_validity !== null).length };
}
