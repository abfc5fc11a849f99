/**
 * @repoforge/datagen — mining git history into task instances. Not implemented yet: this release carries
 * only the funnel type (see the README's status).
 */

/** Counts of one mining run, stage by stage, with every rejection reason. */
export interface Funnel {
  commitsScanned: number;
  candidates: number;
  validated: number;
  rejected: Record<string, number>;
}
