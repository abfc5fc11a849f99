/** Small statistics helpers shared by the benchmarks. */
export function summarize(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]!;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    median_ms: round(q(0.5)),
    p95_ms: round(q(0.95)),
    min_ms: round(s[0]!),
    max_ms: round(s[s.length - 1]!),
  };
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export function ratio(ours: number, baseline: number): number {
  return Math.round((baseline / ours) * 100) / 100;
}
