import { z } from 'zod';
import { LABELS, type LabelName, type Score } from './labels.js';
import { type Agreement, agreement } from './metrics.js';
import { fitOrdinal, ordinalProbabilities } from './ordinal.js';

/** One training row: features and the human labels it has. */
export interface TrainingRow {
  id: string;
  /** What grouped cross-validation folds by: the repo, and when the issue was filed (ISO date). */
  repo: string;
  createdAt: string;
  features: Record<string, number>;
  labels: Partial<Record<LabelName, Score>>;
}

const Numbers = z.array(z.number());
const LabelModel = z.object({ weights: Numbers, thresholds: Numbers, l2: z.number() });
const LabelAgreement = z.object({
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
    version: z.literal(2),
    features: z.array(z.string()),
    mean: Numbers,
    std: Numbers,
    labels: z.partialRecord(z.enum(LABELS), LabelModel),
    trainedOn: z.number(),
    /** Seed of the inner cross-validation that chose L2: the same rows and seed give the same model bytes. */
    seed: z.number(),
    /** Grouped cross-validated agreement (folds by repo, and by time), computed when fitted (see README). */
    crossValidation: z
      .partialRecord(z.enum(['repo', 'time']), z.partialRecord(z.enum(LABELS), LabelAgreement))
      .optional(),
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

/** How cross-validation folds rows: never random rows alone, since instances of one repo and era look alike. */
export type FoldBy = 'repo' | 'time';

/**
 * Grouped folds. `repo`: whole repos per fold, largest repo first into the smallest fold (a model is scored on
 * repos it never saw). `time`: k contiguous blocks by filing date (each block predicted by the others).
 */
export function groupedFolds(
  rows: readonly Pick<TrainingRow, 'id' | 'repo' | 'createdAt'>[],
  k: number,
  by: FoldBy,
): number[] {
  const out = new Array<number>(rows.length);
  if (by === 'time') {
    const order = rows
      .map((r, i) => ({ i, key: `${r.createdAt}\u0000${r.id}` }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    order.forEach(({ i }, rank) => {
      out[i] = Math.floor((rank * k) / rows.length);
    });
    return out;
  }
  const byRepo = new Map<string, number[]>();
  rows.forEach((r, i) => {
    byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), i]);
  });
  const sizes = new Array<number>(k).fill(0);
  const repos = [...byRepo.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  for (const [, idx] of repos) {
    const fold = sizes.indexOf(Math.min(...sizes));
    sizes[fold]! += idx.length;
    for (const i of idx) out[i] = fold;
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
function chooseL2(
  rows: readonly TrainingRow[],
  label: LabelName,
  names: readonly string[],
  seed: number,
): number {
  const f = folds(rows, 3, (r) => r.labels[label]!, seed);
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

const DEFAULT_SEED = 11;

/** Rows in id order, so the order the caller read them in cannot change a float sum or a fold. */
const byId = (rows: readonly TrainingRow[]) =>
  [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * Fits the offline model on every labelled row (L2 chosen by seeded inner cross-validation). Deterministic: the same
 * rows (in any order) and seed give the same model, byte for byte.
 */
export function fitOfflineModel(
  input: readonly TrainingRow[],
  options: { seed?: number } = {},
): OfflineModel {
  const seed = options.seed ?? DEFAULT_SEED;
  const rows = byId(input);
  const names = Object.keys(rows[0]?.features ?? {}).sort();
  const { mean, std } = standardizer(rows, names);
  const model: OfflineModel = {
    version: 2,
    features: names,
    mean,
    std,
    labels: {},
    trainedOn: rows.length,
    seed,
  };
  for (const label of LABELS) {
    const labelled = rows.filter((r) => r.labels[label] !== undefined);
    if (labelled.length < 20) continue;
    const l2 = chooseL2(labelled, label, names, seed);
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
 * Honest grouped k-fold cross-validation: every fold's model (including its L2 choice) is fitted without that fold,
 * and the fold is predicted once. Returns agreement per label beside the majority-class baseline.
 */
export function crossValidate(
  input: readonly TrainingRow[],
  options: { by: FoldBy; k?: number; seed?: number },
): Partial<Record<LabelName, Agreement>> {
  const k = options.k ?? 5;
  const seed = options.seed ?? DEFAULT_SEED;
  const rows = byId(input);
  const names = Object.keys(rows[0]?.features ?? {}).sort();
  const out: Partial<Record<LabelName, Agreement>> = {};
  for (const label of LABELS) {
    const labelled = rows.filter((r) => r.labels[label] !== undefined);
    if (labelled.length < 20) continue;
    const f = groupedFolds(labelled, k, options.by);
    const predicted = new Array<number>(labelled.length);
    for (let fold = 0; fold < k; fold++) {
      const train = labelled.filter((_, i) => f[i] !== fold);
      const fit = fitLabel(train, label, names, chooseL2(train, label, names, seed));
      labelled.forEach((r, i) => {
        if (f[i] === fold) predicted[i] = predictWith(fit, names, r.features);
      });
    }
    out[label] = agreement(
      labelled.map((r) => r.labels[label]!),
      predicted,
    );
  }
  return out;
}

/** Cross-validation grouped both ways the README reports: by repo and by time. */
export function groupedCrossValidation(
  rows: readonly TrainingRow[],
  options: { k?: number; seed?: number } = {},
): Record<FoldBy, Partial<Record<LabelName, Agreement>>> {
  return {
    repo: crossValidate(rows, { ...options, by: 'repo' }),
    time: crossValidate(rows, { ...options, by: 'time' }),
  };
}
