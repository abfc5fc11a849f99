import { computeFeatures, type FeatureInput } from './features.js';
import { difficultyScore, type Score } from './labels.js';
import type { TrainingRow } from './model.js';

/** Joins human annotations (SWE-bench Verified's CSV rows) with instances into training rows. */
export async function trainingRows(
  annotations: readonly Record<string, string>[],
  instances: ReadonlyMap<string, FeatureInput>,
): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  for (const a of annotations) {
    const inst = instances.get(a.instance_id ?? '');
    if (!inst) continue;
    const num = (v: string | undefined) =>
      v === undefined || v === '' ? undefined : (Math.round(Number(v)) as Score);
    rows.push({
      id: a.instance_id!,
      repo: inst.repo,
      createdAt: inst.created_at ?? '',
      features: await computeFeatures(inst),
      labels: {
        difficulty: difficultyScore(a.difficulty ?? ''),
        issue_clarity: num(a.underspecified),
        test_validity: num(a.false_negative),
      },
    });
  }
  return rows;
}
