/**
 * Rollout scheduling benchmark (no GPU, no sandbox): a simulated policy whose episode lengths follow a long-tail
 * (log-normal) distribution and a simulated trainer step. The real RolloutEngine (dynamic producer-consumer,
 * groups emitted on completion) against a synchronous fixed-batch baseline in the same run: trainer idle fraction
 * and samples per second.  npx tsx --conditions=@repoforge/source tools/bench/rollout.ts
 */
import { parseArgs } from 'node:util';
import { RolloutEngine } from '@repoforge/rl-scaffold';
import { Instance } from '@repoforge/schema';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '48' },
    samples: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '16' },
    'groups-per-step': { type: 'string', default: '4' },
    'step-ms': { type: 'string', default: '120' },
    'median-ms': { type: 'string', default: '60' },
    'max-staleness': { type: 'string', default: '4' },
  },
});
const N = Number(values.instances);
const K = Number(values.samples);
const C = Number(values.concurrency);
const G = Number(values['groups-per-step']);
const STEP = Number(values['step-ms']);
const MEDIAN = Number(values['median-ms']);

// Deterministic long-tail durations: log-normal, sigma 1 (a few episodes take 10x the median).
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed + 1) / 2147483649;
};
const durations = new Map<string, number>();
const duration = (id: string, s: number) => {
  const key = `${id}/${s}`;
  if (!durations.has(key)) {
    const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    durations.set(key, MEDIAN * Math.exp(z));
  }
  return durations.get(key)!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const instances = Array.from({ length: N }, (_, i) =>
  Instance.parse({
    repo: 'o/r',
    instance_id: `o__r-${i}`,
    base_commit: 'b',
    patch: '',
    test_patch: '',
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
  }),
);
for (const i of instances) for (let s = 0; s < K; s++) duration(i.instance_id, s);

async function dynamic() {
  let version = 0;
  const engine = new RolloutEngine({
    samples: K,
    concurrency: C,
    maxStaleness: Number(values['max-staleness']),
    policyVersion: () => version,
    maxBufferedGroups: 4 * G,
    runSample: async (i, s, v) => {
      await sleep(duration(i.instance_id, s));
      return {
        instance_id: i.instance_id,
        sample_index: s,
        messages: [],
        model_patch: '',
        reward: 1,
        stop_reason: 'finish',
        policy_version: v,
        metadata: {},
      };
    },
  });
  const t0 = performance.now();
  let idle = 0;
  let busy = 0;
  let batch = 0;
  let waitStart = performance.now();
  let samples = 0;
  let steadyIdle = 0;
  let steadyBusy = 0;
  for await (const g of engine.run(instances)) {
    samples += g.samples.length;
    if (++batch < G) continue;
    const waited = performance.now() - waitStart;
    if (process.env.TRACE && waited > 5)
      console.error(
        `wait ${Math.round(waited)}ms at ${Math.round(performance.now() - t0)}ms v${version} queued=${engine.stats.queued} running=${engine.stats.running}`,
      );
    idle += waited;
    // Steady state: after the first step, while the dataset still has jobs to start (a continuous training run
    // is always in this regime; warm-up and the final drain are one-off costs any engine pays).
    if (version > 0 && engine.stats.queued > 0) {
      steadyIdle += waited;
    }
    batch = 0;
    const s = performance.now();
    await sleep(STEP); // the trainer step; generation goes on meanwhile
    busy += performance.now() - s;
    if (version > 0 && engine.stats.queued > 0) steadyBusy += performance.now() - s;
    version++;
    waitStart = performance.now();
  }
  const wall = performance.now() - t0;
  return {
    wall,
    idle: idle + (batch ? performance.now() - waitStart : 0),
    busy,
    samples,
    resampled: engine.stats.resampled,
    steadyIdleFraction: steadyIdle + steadyBusy ? steadyIdle / (steadyIdle + steadyBusy) : 0,
  };
}

async function fixedBatch() {
  const t0 = performance.now();
  let idle = 0;
  let busy = 0;
  let samples = 0;
  for (let b = 0; b < N; b += G) {
    const batch = instances.slice(b, b + G);
    const jobs = batch.flatMap((i) => Array.from({ length: K }, (_, s) => [i, s] as const));
    const start = performance.now();
    // The whole batch generates (C at a time) and the trainer waits for its slowest episode.
    let next = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < jobs.length) {
          const [i, s] = jobs[next++]!;
          await sleep(duration(i.instance_id, s));
        }
      }),
    );
    samples += jobs.length;
    idle += performance.now() - start;
    const s = performance.now();
    await sleep(STEP); // generation waits for the trainer
    busy += performance.now() - s;
  }
  return { wall: performance.now() - t0, idle, busy, samples, resampled: 0, steadyIdleFraction: undefined };
}

const d = await dynamic();
const f = await fixedBatch();
const r2 = (x: number) => Math.round(x * 100) / 100;
const fig = (x: typeof d | typeof f) => ({
  wall_ms: Math.round(x.wall),
  samples: x.samples,
  samples_per_s: r2(x.samples / (x.wall / 1000)),
  trainer_idle_fraction: r2(x.idle / (x.idle + x.busy)),
  ...(x.steadyIdleFraction === undefined ? {} : { steady_state_idle_fraction: r2(x.steadyIdleFraction) }),
  resampled_stale: x.resampled,
});
const dyn = fig(d);
const fix = fig(f);
console.log(
  JSON.stringify(
    {
      benchmark: 'rollout',
      setup: {
        instances: N,
        samples_per_instance: K,
        concurrency: C,
        groups_per_trainer_step: G,
        trainer_step_ms: STEP,
        episode_median_ms: MEDIAN,
        max_staleness: Number(values['max-staleness']),
        episode_length: 'log-normal, sigma 1',
      },
      dynamic_engine: dyn,
      fixed_batch_baseline: fix,
      throughput_ratio: r2(dyn.samples_per_s / fix.samples_per_s),
      goals: {
        idle_under_5pct: dyn.trainer_idle_fraction < 0.05,
        steady_state_idle_under_5pct: (dyn.steady_state_idle_fraction ?? 1) < 0.05,
        throughput_at_least_1_4x: dyn.samples_per_s / fix.samples_per_s >= 1.4,
      },
    },
    null,
    2,
  ),
);
