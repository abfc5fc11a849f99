import { z } from 'zod';
import { LABELS, type LabelName, type Score } from './labels.js';
import { type Agreement, agreement } from './metrics.js';
import { fitOrdinal, ordinalProbabilities } from './ordinal.js';

/** One training row: features and the human labels it has. */
export interface TrainingRow {
  id: string;
  features: Record<string, number>;
  labels: Partial<Record<LabelName, Score>>;
}

const Numbers = z.array(z.number());
const LabelModel = z.object({ weights: Numbers, thresholds: Numbers, l2: z.number() });
const CrossValidation = z.object({
  n: z.number(),
  exact: z.number(),
  withinOne: z.number(),
  qwk: z.number(),
  confusion: z.array(Numbers),
  majorityBaseline: z.number(),
});

/** The offline model as shipped (a small JSON file); `--offline-model` files are validated with it. */
export const OfflineModel = z
  .object({
    version: z.literal(1),
    features: z.array(z.string()),
    mean: Numbers,
    std: Numbers,
    labels: z.partialRecord(z.enum(LABELS), LabelModel),
    trainedOn: z.number(),
    /** Cross-validated agreement, computed when the model was fitted (see README). */
    crossValidation: z.partialRecord(z.enum(LABELS), CrossValidation).optional(),
  })
  .refine((m) => m.mean.length === m.features.length && m.std.length === m.features.length, {
    message: 'mean and std need one value per feature',
    path: ['mean'],
  });
export type OfflineModel = z.infer<typeof OfflineModel>;

const L2_GRID = [0.3, 1, 3, 10, 30];

function standardizer(rows: readonly TrainingRow[], names: readonly string[]) {
  const mean = names.map(
    (n) => rows.reduce((a, r) => a + (r.features[n] ?? 0), 0) / Math.max(1, rows.length),
  );
  const std = names.map(
    (n, j) =>
      Math.sqrt(
        rows.reduce((a, r) => a + ((r.features[n] ?? 0) - mean[j]!) ** 2, 0) / Math.max(1, rows.length),
      ) || 1,
  );
  return { mean, std };
}

const vector = (
  f: Record<string, number>,
  names: readonly string[],
  mean: readonly number[],
  std: readonly number[],
) => names.map((n, j) => ((f[n] ?? 0) - mean[j]!) / std[j]!);

/** Deterministic fold assignment, stratified by label. */
function folds<T>(items: readonly T[], k: number, key: (t: T) => number, seed = 7): number[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const byClass = new Map<number, number[]>();
  items.forEach((t, i) => {
    byClass.set(key(t), [...(byClass.get(key(t)) ?? []), i]);
  });
  const out = new Array<number>(items.length);
  for (const idx of byClass.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx.forEach((row, n) => {
      out[row] = n % k;
    });
  }
  return out;
}

function fitLabel(rows: readonly TrainingRow[], label: LabelName, names: readonly string[], l2: number) {
  const { mean, std } = standardizer(rows, names);
  const xs = rows.map((r) => vector(r.features, names, mean, std));
  const ys = rows.map((r) => r.labels[label]!);
  return { model: fitOrdinal(xs, ys, 4, { l2 }), mean, std };
}

function predictWith(
  fit: ReturnType<typeof fitLabel>,
  names: readonly string[],
  f: Record<string, number>,
): number {
  const probs = ordinalProbabilities(fit.model, vector(f, names, fit.mean, fit.std));
  return probs.indexOf(Math.max(...probs));
}

/** Picks L2 by inner cross-validation on `rows` only (never on the folds that get reported). */
function chooseL2(rows: readonly TrainingRow[], label: LabelName, names: readonly string[]): number {
  const f = folds(rows, 3, (r) => r.labels[label]!, 11);
  let best = L2_GRID[0]!;
  let bestScore = -1;
  for (const l2 of L2_GRID) {
    let hits = 0;
    for (let k = 0; k < 3; k++) {
      const train = rows.filter((_, i) => f[i] !== k);
      const fit = fitLabel(train, label, names, l2);
      rows.forEach((r, i) => {
        if (f[i] === k && predictWith(fit, names, r.features) === r.labels[label]) hits++;
      });
    }
    if (hits > bestScore) {
      bestScore = hits;
      best = l2;
    }
  }
  return best;
}

/** Fits the offline model on every labelled row (L2 chosen by cross-validation). */
export function fitOfflineModel(rows: readonly TrainingRow[]): OfflineModel {
  const names = Object.keys(rows[0]?.features ?? {}).sort();
  const { mean, std } = standardizer(rows, names);
  const model: OfflineModel = { version: 1, features: names, mean, std, labels: {}, trainedOn: rows.length };
  for (const label of LABELS) {
    const labelled = rows.filter((r) => r.labels[label] !== undefined);
    if (labelled.length < 20) continue;
    const l2 = chooseL2(labelled, label, names);
    const xs = labelled.map((r) => vector(r.features, names, mean, std));
    model.labels[label] = {
      ...fitOrdinal(
        xs,
        labelled.map((r) => r.labels[label]!),
        4,
        { l2 },
      ),
      l2,
    };
  }
  return model;
}

/** Predicts the labels of one instance's features. */
export function predictLabels(
  model: OfflineModel,
  features: Record<string, number>,
): Partial<Record<LabelName, { score: Score; probabilities: number[] }>> {
  const x = vector(features, model.features, model.mean, model.std);
  const out: Partial<Record<LabelName, { score: Score; probabilities: number[] }>> = {};
  for (const label of LABELS) {
    const m = model.labels[label];
    if (!m) continue;
    const probabilities = ordinalProbabilities(m, x);
    out[label] = { score: probabilities.indexOf(Math.max(...probabilities)) as Score, probabilities };
  }
  return out;
}

/**
 * Honest k-fold cross-validation: every fold's model (including its L2 choice) is fitted without that fold,
 * and the fold is predicted once. Returns agreement per label beside the majority-class baseline.
 */
export function crossValidate(
  rows: readonly TrainingRow[],
  k = 5,
): Partial<Record<LabelName, Agreement & { majorityBaseline: number }>> {
  const names = Object.keys(rows[0]?.features ?? {}).sort();
  const out: Partial<Record<LabelName, Agreement & { majorityBaseline: number }>> = {};
  for (const label of LABELS) {
    const labelled = rows.filter((r) => r.labels[label] !== undefined);
    if (labelled.length < 20) continue;
    const f = folds(labelled, k, (r) => r.labels[label]!);
    const predicted = new Array<number>(labelled.length);
    for (let fold = 0; fold < k; fold++) {
      const train = labelled.filter((_, i) => f[i] !== fold);
      const fit = fitLabel(train, label, names, chooseL2(train, label, names));
      labelled.forEach((r, i) => {
        if (f[i] === fold) predicted[i] = predictWith(fit, names, r.features);
      });
    }
    const truth = labelled.map((r) => r.labels[label]!);
    const counts = [0, 1, 2, 3].map((c) => truth.filter((t) => t === c).length);
    out[label] = {
      ...agreement(truth, predicted),
      majorityBaseline: Math.round((Math.max(...counts) / truth.length) * 1000) / 1000,
    };
  }
  return out;
}
