/**
 * @repoforge/spice — SPICE labeling. Not implemented yet: this release carries only the label types
 * (see the README's status).
 */

/** A 0-3 score on the SWE-bench Verified rubric. */
export type Score = 0 | 1 | 2 | 3;

/** The labels SPICE assigns to one instance. */
export interface SpiceLabels {
  instance_id: string;
  issue_clarity: Score;
  test_validity: Score;
  difficulty: Score;
  rationales: Partial<Record<'issue_clarity' | 'test_validity' | 'difficulty', string>>;
}
