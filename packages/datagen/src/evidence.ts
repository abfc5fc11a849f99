import type { runInstance } from '@repoforge/harness';
import { z } from 'zod';

/** What one validation run of a candidate showed: enough to tell "no test failed first" from "no test ran". */
export const RunEvidence = z.object({
  /** `before`: base + test patch; `after`: + the fix; `gold`: the final check on a fresh sandbox. */
  side: z.enum(['before', 'after', 'gold']),
  exitCode: z.number().optional(),
  /** Parsed test statuses, counted (`{ PASSED: 40, FAILED: 2 }`; empty: no test was seen). */
  counts: z.record(z.string(), z.number()),
  /** The end of the run's test output (at most TAIL_CHARS characters). */
  tail: z.string(),
});
export type RunEvidence = z.infer<typeof RunEvidence>;

/** Why a candidate was rejected, with what decided it: kept in the resume state and shown by `--explain`. */
export const Evidence = z.object({
  why: z.string(),
  testCmd: z.string().optional(),
  image: z.string().optional(),
  runs: z.array(RunEvidence).default([]),
});
export type Evidence = z.infer<typeof Evidence>;

const TAIL_CHARS = 2000;

/** The evidence of one run: its exit code, its status counts, the tail of its test output. */
export function runEvidence(
  side: RunEvidence['side'],
  run: Awaited<ReturnType<typeof runInstance>>,
): RunEvidence {
  const counts: Record<string, number> = {};
  for (const s of Object.values(run.statusMap ?? {})) counts[s] = (counts[s] ?? 0) + 1;
  const log = run.files['test_output.txt'] ?? run.error ?? '';
  return { side, exitCode: run.exitCode, counts, tail: log.slice(-TAIL_CHARS) };
}

/** `{"PASSED":40,"FAILED":2}` as `40 PASSED, 2 FAILED`, or `no test`. */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([s, n]) => `${n} ${s}`);
  return parts.length ? parts.join(', ') : 'no test';
}
