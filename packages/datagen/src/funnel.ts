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
  };
}

export function reject(funnel: Funnel, reason: RejectReason): void {
  funnel.rejected[reason] = (funnel.rejected[reason] ?? 0) + 1;
}
