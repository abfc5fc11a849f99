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
    yield: 0,
  };
}

export function reject(funnel: Funnel, reason: RejectReason): void {
  funnel.rejected[reason] = (funnel.rejected[reason] ?? 0) + 1;
}
