import type { RejectReason } from './classify.js';

/** Counts of one mining run, stage by stage, with every rejection reason. */
export interface Funnel {
  commitsScanned: number;
  candidates: number;
  envBuilt: number;
  beforeAfterRan: number;
  validated: number;
  resumed: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Environments by the ladder rung that obtained them (`as planned` when no repair was needed). */
  envRungs: Record<string, number>;
  /** Environments that failed, by failure class (install_conflict, needs_git_dependency, ...). */
  envFailures: Record<string, number>;
  /** Validated instances with tests that need the internet (failed on a network error in the gold run; not graded). */
  withNetworkTests: number;
  /** Validated instances by statement quality (ok, empty, generic, leaks_solution). */
  statements: Record<string, number>;
  /** Validated / candidates. */
  yield: number;
  /**
   * Milliseconds spent per stage, summed over candidates (with several workers the sum exceeds wall time): the
   * history scan, the draft (snapshot, statement, version), obtaining the environment, the before/after runs,
   * and the gold check.
   */
  stageMs: Record<MineStage, number>;
}

export type MineStage = 'scan' | 'draft' | 'env' | 'runs' | 'gold';

/** Runs `work` and adds its time to the funnel's stage, whether it succeeds or throws. */
export async function timed<T>(funnel: Funnel, stage: MineStage, work: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await work();
  } finally {
    funnel.stageMs[stage] += Math.round(performance.now() - t);
  }
}

export function emptyFunnel(): Funnel {
  return {
    commitsScanned: 0,
    candidates: 0,
    envBuilt: 0,
    beforeAfterRan: 0,
    validated: 0,
    resumed: 0,
    rejected: {},
    envRungs: {},
    envFailures: {},
    withNetworkTests: 0,
    statements: {},
    yield: 0,
    stageMs: { scan: 0, draft: 0, env: 0, runs: 0, gold: 0 },
  };
}

export function reject(funnel: Funnel, reason: RejectReason): void {
  funnel.rejected[reason] = (funnel.rejected[reason] ?? 0) + 1;
}
