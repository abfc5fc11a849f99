/** Small statistics helpers shared by the benchmarks. */
import { cpus } from 'node:os';

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

/** CPU time the whole machine spent busy (all processes, every core), in ms: engine daemons and runc included. */
function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** Wall time and machine-wide CPU time of `fn` (meaningful on an otherwise idle machine). */
export async function timeWithCpu(fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = machineBusyMs();
  const wallMs = await time(fn);
  return { wallMs, cpuMs: machineBusyMs() - cpu0 };
}
