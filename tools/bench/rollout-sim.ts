/**
 * The simulated rollout workload the rollout benchmarks share: deterministic long-tail (log-normal, sigma 1)
 * episode lengths per (instance, sample), placeholder instances, and a trainer that takes `groupsPerStep`
 * groups per step and measures how long it waits for them.
 */
import type { RolloutEngine, RunSample } from '@repoforge/rl-scaffold';
import { Instance } from '@repoforge/schema';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Episode lengths: the same (instance, sample) always takes the same time; a few take 10x the median. */
export function longTailDurations(medianMs: number) {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed + 1) / 2147483649;
  };
  const durations = new Map<string, number>();
  return (id: string, sample: number) => {
    const key = `${id}/${sample}`;
    if (!durations.has(key)) {
      const z = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
      durations.set(key, medianMs * Math.exp(z));
    }
    return durations.get(key)!;
  };
}

export function placeholderInstances(n: number, prefix = 'o__r'): Instance[] {
  return Array.from({ length: n }, (_, i) =>
    Instance.parse({
      repo: 'o/r',
      instance_id: `${prefix}-${i}`,
      base_commit: 'b',
      patch: '',
      test_patch: '',
      FAIL_TO_PASS: [],
      PASS_TO_PASS: [],
    }),
  );
}

/** A graded sample that takes its simulated time. */
export function simulatedSample(duration: (id: string, sample: number) => number): RunSample {
  return async (i, s, v) => {
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
  };
}

export interface TrainerFigures {
  wall: number;
  idle: number;
  busy: number;
  samples: number;
  resampled: number;
  steadyIdleFraction: number;
}

/**
 * Consumes the engine's groups as a trainer does: every `groupsPerStep` groups, a step of `stepMs` (generation
 * goes on meanwhile) that bumps the policy version. Idle is the time it waited for groups; steady state is
 * after the first step while the dataset still has jobs to start.
 */
export async function trainOn(
  engine: RolloutEngine,
  instances: readonly Instance[],
  o: { groupsPerStep: number; stepMs: number; bumpVersion: () => number },
): Promise<TrainerFigures> {
  const t0 = performance.now();
  let idle = 0;
  let busy = 0;
  let batch = 0;
  let waitStart = performance.now();
  let samples = 0;
  let steadyIdle = 0;
  let steadyBusy = 0;
  let version = 0;
  for await (const g of engine.run(instances)) {
    samples += g.samples.length;
    if (++batch < o.groupsPerStep) continue;
    const waited = performance.now() - waitStart;
    if (process.env.TRACE && waited > 5)
      console.error(
        `wait ${Math.round(waited)}ms at ${Math.round(performance.now() - t0)}ms v${version} queued=${engine.stats.queued} running=${engine.stats.running}`,
      );
    idle += waited;
    const steady = version > 0 && engine.stats.queued > 0;
    if (steady) steadyIdle += waited;
    batch = 0;
    const s = performance.now();
    await sleep(o.stepMs); // the trainer step; generation goes on meanwhile
    busy += performance.now() - s;
    if (steady) steadyBusy += performance.now() - s;
    version = o.bumpVersion();
    waitStart = performance.now();
  }
  return {
    wall: performance.now() - t0,
    idle: idle + (batch ? performance.now() - waitStart : 0),
    busy,
    samples,
    resampled: engine.stats.resampled,
    steadyIdleFraction: steadyIdle + steadyBusy ? steadyIdle / (steadyIdle + steadyBusy) : 0,
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The JSON figures of a trainer run. */
export const trainerFigures = (
  x: Omit<TrainerFigures, 'steadyIdleFraction'> & { steadyIdleFraction?: number },
) => ({
  wall_ms: Math.round(x.wall),
  samples: x.samples,
  samples_per_s: r2(x.samples / (x.wall / 1000)),
  trainer_idle_fraction: r2(x.idle / (x.idle + x.busy)),
  ...(x.steadyIdleFraction === undefined ? {} : { steady_state_idle_fraction: r2(x.steadyIdleFraction) }),
  resampled_stale: x.resampled,
});
