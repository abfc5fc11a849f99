const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

/** A proportional-odds (cumulative logit) model: P(y <= j | x) = sigmoid(theta_j - w.x). */
export interface OrdinalModel {
  weights: number[];
  thresholds: number[];
}

function thresholdsOf(c0: number, d: readonly number[]): number[] {
  const t = [c0];
  for (const x of d) t.push(t[t.length - 1]! + softplus(x));
  return t;
}

/** Class probabilities for one standardized feature vector. */
export function ordinalProbabilities(model: OrdinalModel, x: readonly number[]): number[] {
  const z = model.weights.reduce((a, w, i) => a + w * x[i]!, 0);
  const cum = [...model.thresholds.map((t) => sigmoid(t - z)), 1];
  return cum.map((c, k) => c - (k ? cum[k - 1]! : 0));
}

/**
 * Fits the model by full-batch Adam on the negative log-likelihood with an L2 penalty on the weights.
 * Thresholds stay ordered by construction (first one free, then positive steps).
 */
export function fitOrdinal(
  xs: readonly number[][],
  ys: readonly number[],
  k: number,
  options: { l2?: number; iterations?: number; lr?: number } = {},
): OrdinalModel {
  const dim = xs[0]?.length ?? 0;
  const l2 = options.l2 ?? 1;
  const n = xs.length;
  // Parameters: weights, c0, d (k-2 steps).
  const params = new Array<number>(dim + 1 + (k - 2)).fill(0);
  const counts = new Array<number>(k).fill(0);
  for (const y of ys) counts[y]!++;
  // Start thresholds at the class-frequency logits.
  let acc = 0;
  const init: number[] = [];
  for (let j = 0; j < k - 1; j++) {
    acc += counts[j]! / n;
    const p = Math.min(0.999, Math.max(0.001, acc));
    init.push(Math.log(p / (1 - p)));
  }
  params[dim] = init[0]!;
  for (let j = 1; j < k - 1; j++) {
    const step = Math.max(1e-3, init[j]! - init[j - 1]!);
    params[dim + j] = Math.log(Math.expm1(step));
  }
  const m = new Array<number>(params.length).fill(0);
  const v = new Array<number>(params.length).fill(0);
  const lr = options.lr ?? 0.05;
  for (let it = 1; it <= (options.iterations ?? 1500); it++) {
    const w = params.slice(0, dim);
    const d = params.slice(dim + 1);
    const theta = thresholdsOf(params[dim]!, d);
    const gw = w.map((wi) => (l2 * wi) / n);
    const gTheta = new Array<number>(k - 1).fill(0);
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      const z = w.reduce((a, wi, j) => a + wi * x[j]!, 0);
      const a = y < k - 1 ? theta[y]! - z : Number.POSITIVE_INFINITY;
      const b = y > 0 ? theta[y - 1]! - z : Number.NEGATIVE_INFINITY;
      const sa = Number.isFinite(a) ? sigmoid(a) : 1;
      const sb = Number.isFinite(b) ? sigmoid(b) : 0;
      const p = Math.max(1e-12, sa - sb);
      const da = Number.isFinite(a) ? sa * (1 - sa) : 0;
      const db = Number.isFinite(b) ? sb * (1 - sb) : 0;
      const gz = (da - db) / p;
      for (let j = 0; j < dim; j++) gw[j]! += (gz * x[j]!) / n;
      if (y < k - 1) gTheta[y]! += -da / p / n;
      if (y > 0) gTheta[y - 1]! += db / p / n;
    }
    const grad = [...gw, gTheta.reduce((s, g) => s + g, 0)];
    for (let j = 1; j < k - 1; j++) {
      const tail = gTheta.slice(j).reduce((s, g) => s + g, 0);
      grad.push(tail * sigmoid(d[j - 1]!));
    }
    for (let j = 0; j < params.length; j++) {
      m[j] = 0.9 * m[j]! + 0.1 * grad[j]!;
      v[j] = 0.999 * v[j]! + 0.001 * grad[j]! * grad[j]!;
      const mh = m[j]! / (1 - 0.9 ** it);
      const vh = v[j]! / (1 - 0.999 ** it);
      params[j]! -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
    }
  }
  return { weights: params.slice(0, dim), thresholds: thresholdsOf(params[dim]!, params.slice(dim + 1)) };
}
