import { difficultyScore } from './labels.js';

/** Agreement of predicted and true ordinal labels (0..k-1). */
export interface Agreement {
  n: number;
  exact: number;
  withinOne: number;
  /** Quadratic weighted kappa. */
  qwk: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  /** Exact agreement of always answering the most common true class: the figure a labeler has to beat. */
  majorityBaseline: number;
}

export function agreement(truth: readonly number[], predicted: readonly number[], k = 4): Agreement {
  const n = truth.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let exact = 0;
  let within = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    confusion[t]![p]!++;
    if (t === p) exact++;
    if (Math.abs(t - p) <= 1) within++;
  }
  const rowSum = confusion.map((r) => r.reduce((a, b) => a + b, 0));
  const colSum = confusion[0]!.map((_, j) => confusion.reduce((a, r) => a + r[j]!, 0));
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = ((i - j) * (i - j)) / ((k - 1) * (k - 1));
      num += w * confusion[i]![j]!;
      den += w * ((rowSum[i]! * colSum[j]!) / Math.max(1, n));
    }
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n,
    exact: r3(exact / Math.max(1, n)),
    withinOne: r3(within / Math.max(1, n)),
    qwk: r3(den ? 1 - num / den : 0),
    confusion,
    majorityBaseline: r3(Math.max(...rowSum) / Math.max(1, n)),
  };
}

/** Which annotation column (SWE-bench Verified's CSV) each SPICE label is compared with. */
const ANNOTATION_COLUMNS = {
  issue_clarity: 'underspecified',
  test_validity: 'false_negative',
  difficulty: 'difficulty',
} as const;

/**
 * Agreement of SPICE labels with human annotations (rows of SWE-bench Verified's `ensembled_annotations_public.csv`,
 * by instance_id), per label; instances without an annotation for a label are left out of that label's figures.
 */
export function annotationAgreement(
  labels: readonly {
    instance_id: string;
    issue_clarity: number;
    test_validity: number;
    difficulty: number;
  }[],
  annotations: readonly Record<string, string>[],
): Record<keyof typeof ANNOTATION_COLUMNS, Agreement> {
  const byId = new Map(annotations.map((a) => [a.instance_id, a]));
  const result = {} as Record<keyof typeof ANNOTATION_COLUMNS, Agreement>;
  for (const [name, column] of Object.entries(ANNOTATION_COLUMNS) as [
    keyof typeof ANNOTATION_COLUMNS,
    string,
  ][]) {
    const truth: number[] = [];
    const pred: number[] = [];
    for (const l of labels) {
      const a = byId.get(l.instance_id);
      const v = a && annotationScore(a, column);
      if (v === undefined) continue;
      truth.push(v);
      pred.push(l[name]);
    }
    result[name] = agreement(truth, pred);
  }
  return result;
}

export function annotationScore(row: Record<string, string>, column: string): number | undefined {
  if (column === 'difficulty') return difficultyScore(row.difficulty ?? '');
  return row[column] ? Math.round(Number(row[column])) : undefined;
}
