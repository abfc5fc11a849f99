/**
 * Rollout scheduling benchmark (no GPU, no sandbox): a simulated policy whose episode lengths follow a long-tail
 * (log-normal) distribution and a simulated trainer step. The real RolloutEngine (dynamic producer-consumer,
 * groups emitted on completion) against a synchronous fixed-batch baseline in the same run: trainer idle fraction
 * and samples per second.  npx tsx --conditions=@repoforge/source tools/bench/rollout.ts
 */
import { parseArgs } from 'node:util';
import { RolloutEngine } from '@repoforge/rl-scaffold';
import {
  longTailDurations,
  placeholderInstances,
  simulatedSample,
  sleep,
  trainerFigures,
  trainOn,
} from './rollout-sim.ts';

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

const duration = longTailDurations(MEDIAN);
const instances = placeholderInstances(N);
for (const i of instances) for (let s = 0; s < K; s++) duration(i.instance_id, s);

async function dynamic() {
  let version = 0;
  const engine = new RolloutEngine({
    samples: K,
    concurrency: C,
    maxStaleness: Number(values['max-staleness']),
    policyVersion: () => version,
    maxBufferedGroups: 4 * G,
    runSample: simulatedSample(duration),
  });
  return trainOn(engine, instances, { groupsPerStep: G, stepMs: STEP, bumpVersion: () => ++version });
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
  return { wall: performance.now() - t0, idle, busy, samples, resampled: 0 };
}

const d = await dynamic();
const f = await fixedBatch();
const r2 = (x: number) => Math.round(x * 100) / 100;
const fig = trainerFigures;
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
