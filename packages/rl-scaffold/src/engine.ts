import { setTimeout as sleep } from 'node:timers/promises';
import type { RepoLocation } from '@repoforge/harness';
import { isEngineFault, type Logger } from '@repoforge/sandbox';
import type { EnvSpec, Instance, Trajectory } from '@repoforge/schema';
import {
  agentEpisode,
  type EpisodeSettings,
  failedSample,
  gradeTrajectory,
  type SampleJob,
  type SampleResources,
} from './sample.js';

/** The k samples of one instance, emitted together for GRPO/RLOO-style advantages. */
export interface RolloutGroup {
  instance_id: string;
  samples: Trajectory[];
}

/** Runs one (instance, sample) job somewhere else (a queue of workers, a simulation): its graded trajectory. */
export type RunSample = (
  instance: Instance,
  sample: number,
  policyVersion: string | number,
  signal?: AbortSignal,
) => Promise<Trajectory>;

/**
 * The engine's options: the schedule, and either what episodes need to run here (a policy, environments, repos,
 * a sandbox pool) or `runSample`, which runs them elsewhere (`queuedSamples`: workers on other machines).
 */
export type RolloutOptions = RolloutSchedule & RolloutEpisodes;

/** Where episodes run: here (what they need), or elsewhere (`runSample`). */
export type RolloutEpisodes =
  | (SampleResources & EpisodeSettings & { runSample?: undefined })
  | { runSample: RunSample };

export interface RolloutSchedule {
  samples?: number;
  concurrency?: number;
  /** The trainer's current policy version; samples record it when they start. */
  policyVersion?: () => string | number;
  /** A sample older than this many versions when its group completes is generated again. */
  maxStaleness?: number;
  /** Groups waiting for the consumer before workers stop starting new episodes (backpressure). */
  maxBufferedGroups?: number;
  /**
   * Times a job whose sandbox or engine went away (`isEngineFault`: a restarted engine, a removed container)
   * runs again, after `engineRetryDelayMs` doubled per attempt (defaults 3 and 2000 ms: about 14 s for the
   * engine to come back). Such a sample is never graded or written: out of retries, its instance is left
   * unfinished — no group for it, `stats.unfinished` counts it — for a rerun on the same output to do.
   */
  engineRetries?: number;
  engineRetryDelayMs?: number;
  logger?: Logger;
}

/** Live counters for progress lines. */
export interface RolloutStats {
  /** Jobs not started yet (0 once the dataset is exhausted: the run is draining). */
  queued: number;
  running: number;
  done: number;
  failed: number;
  resampled: number;
  /** Jobs run again because their sandbox or engine went away. */
  retried: number;
  /** Instances left without a group because their engine stayed away (see `engineRetries`). */
  unfinished: number;
  groups: number;
  rewardSum: number;
}

type Job = SampleJob;

/**
 * A dynamic producer-consumer rollout: workers pull (instance, sample) jobs instead of fixed batches, rewards are
 * graded as soon as an episode ends (while other episodes generate), and a group is emitted the moment its last
 * sample is graded. A failing episode is recorded with its cause and never stops the others.
 */
export class RolloutEngine {
  readonly stats: RolloutStats = {
    queued: 0,
    running: 0,
    done: 0,
    failed: 0,
    resampled: 0,
    retried: 0,
    unfinished: 0,
    groups: 0,
    rewardSum: 0,
  };

  constructor(private readonly options: RolloutOptions) {}

  async *run(instances: readonly Instance[], signal?: AbortSignal): AsyncGenerator<RolloutGroup> {
    yield* new RolloutRun(this.options, this.stats, instances, signal).groups();
  }
}

/** One `run` of the engine: its queue, partial groups, groups ready, and the background grading. */
class RolloutRun {
  private readonly k: number;
  private readonly jobs: Job[];
  private readonly partial = new Map<string, Trajectory[]>();
  private readonly ready: RolloutGroup[] = [];
  private readonly grading = new Set<Promise<void>>();
  private readonly abandoned = new Set<string>();
  // Everyone who waits (the consumer, workers held by backpressure or by grading) waits for the next change;
  // every change (a group ready, an episode or grading done, a group taken, an abort) wakes them all.
  private waiters: (() => void)[] = [];
  private active = 0;

  constructor(
    private readonly options: RolloutOptions,
    private readonly stats: RolloutStats,
    instances: readonly Instance[],
    private readonly signal?: AbortSignal,
  ) {
    this.k = options.samples ?? 4;
    this.jobs = instances.flatMap((instance) =>
      Array.from({ length: this.k }, (_, sample) => ({ instance, sample })),
    );
    stats.queued = this.jobs.length;
  }

  private notify = () => {
    const woken = this.waiters;
    this.waiters = [];
    for (const w of woken) w();
  };

  private nextChange = () => new Promise<void>((r) => this.waiters.push(r));

  private version = () => this.options.policyVersion?.() ?? 0;

  async *groups(): AsyncGenerator<RolloutGroup> {
    const { signal } = this;
    signal?.addEventListener('abort', this.notify, { once: true });
    const workers = Promise.all(
      Array.from({ length: this.options.concurrency ?? 4 }, () => this.worker()),
    ).then(async () => {
      await Promise.all([...this.grading]);
      this.notify();
    });
    let finished = false;
    workers.then(() => {
      finished = true;
      this.notify();
    });
    while (!finished || this.ready.length) {
      if (this.ready.length) {
        const group = this.ready.shift()!;
        this.notify(); // a slot freed for workers held by backpressure
        yield group;
        continue;
      }
      const change = this.nextChange();
      if (!this.ready.length && !finished) await change;
    }
    await workers;
    signal?.throwIfAborted();
  }

  private async worker(): Promise<void> {
    for (;;) {
      // An abort stops intake at once: episodes in flight end through their own signal.
      if (this.signal?.aborted) return;
      if (this.ready.length >= (this.options.maxBufferedGroups ?? Number.POSITIVE_INFINITY)) {
        await this.nextChange();
        continue;
      }
      const job = this.jobs.shift();
      this.stats.queued = this.jobs.length;
      if (!job) {
        if (this.grading.size === 0 && this.active === 0) return;
        // Grading in flight may send stale samples back to the queue: wait for it to settle.
        await this.nextChange();
        continue;
      }
      this.active++;
      this.stats.running++;
      try {
        await this.episode(job);
      } finally {
        this.active--;
        this.stats.running--;
        this.notify();
      }
    }
  }

  /** Requeues a job its engine lost (after a pause), or abandons its instance; false when not that. */
  private async engineLost(job: Job, error: unknown): Promise<boolean> {
    if (!isEngineFault(error)) return false;
    const id = job.instance.instance_id;
    const attempt = job.attempt ?? 0;
    if (attempt >= (this.options.engineRetries ?? 3)) {
      this.options.logger?.warn('rollout: engine lost, instance left for a rerun', {
        id,
        error: String(error),
      });
      if (!this.abandoned.has(id)) this.stats.unfinished++;
      this.abandoned.add(id);
      this.partial.delete(id);
      return true;
    }
    this.stats.retried++;
    this.options.logger?.warn('rollout: engine lost, sample retried', { id, attempt, error: String(error) });
    await sleep((this.options.engineRetryDelayMs ?? 2000) * 2 ** attempt, undefined, {
      signal: this.signal,
    }).catch(() => undefined);
    if (this.signal?.aborted) return true; // stopping: the job stays undone, like every job not started
    this.jobs.unshift({ ...job, attempt: attempt + 1 });
    this.stats.queued = this.jobs.length;
    return true;
  }

  /** Samples of a group that a newer policy made stale (maxStaleness), to run again. */
  private staleOf(list: readonly Trajectory[]): Trajectory[] {
    const max = this.options.maxStaleness;
    const now = this.version();
    if (max === undefined || typeof now !== 'number') return [];
    return list.filter((s) => typeof s.policy_version === 'number' && now - s.policy_version > max);
  }

  private complete(instance: Instance, t: Trajectory): void {
    const id = instance.instance_id;
    if (this.abandoned.has(id)) return;
    const list = [...(this.partial.get(id) ?? []), t];
    this.partial.set(id, list);
    if (list.length < this.k) return;
    const stale = this.staleOf(list);
    if (stale.length) {
      this.partial.set(
        id,
        list.filter((s) => !stale.includes(s)),
      );
      this.stats.resampled += stale.length;
      // First in line: the rest of its group is waiting (at the back, it would wait for the whole queue and
      // go stale in turn).
      this.jobs.unshift(...stale.map((s) => ({ instance, sample: s.sample_index })));
      this.stats.queued = this.jobs.length;
      return;
    }
    this.partial.delete(id);
    this.ready.push({ instance_id: id, samples: list.sort((a, b) => a.sample_index - b.sample_index) });
    this.stats.groups++;
    this.notify();
  }

  private async episode(job: Job): Promise<void> {
    const use = this.options;
    if (use.runSample) return this.scriptedEpisode(job, use.runSample);
    const { instance } = job;
    const { signal } = this;
    const policyVersion = this.version();
    let spec: EnvSpec;
    let trajectory: Trajectory;
    let location: RepoLocation;
    try {
      // Inside the try: a repo that cannot be cloned fails its samples, never the run.
      location = await use.repoSource.resolve(instance.repo, { signal });
      spec = await use.envFor(instance, signal);
      trajectory = await agentEpisode(job, { spec, location, policyVersion }, use, signal);
    } catch (error) {
      if (await this.engineLost(job, error)) return;
      this.stats.failed++;
      this.complete(instance, failedSample(instance, job.sample, policyVersion, error));
      return;
    }
    if (trajectory.stop_reason === 'error') this.stats.failed++;
    // Graded in the background: the worker goes on to its next episode meanwhile.
    const g = this.grade(job, trajectory, { spec, location }, use);
    this.grading.add(g);
    g.finally(() => {
      this.grading.delete(g);
      this.notify();
    });
  }

  /** A sample from `runSample` (a whole graded episode run elsewhere). */
  private async scriptedEpisode(job: Job, runSample: RunSample): Promise<void> {
    const { instance } = job;
    const policyVersion = this.version();
    let t: Trajectory;
    try {
      t = await runSample(instance, job.sample, policyVersion, this.signal);
    } catch (error) {
      if (await this.engineLost(job, error)) return;
      t = failedSample(instance, job.sample, policyVersion, error);
    }
    if (t.stop_reason === 'error') this.stats.failed++;
    this.stats.done++;
    this.stats.rewardSum += t.reward ?? 0;
    this.complete(instance, t);
  }

  /** The reward of an episode; a grading failure is reward 0, recorded. */
  private async grade(
    job: Job,
    trajectory: Trajectory,
    env: { spec: EnvSpec; location: RepoLocation },
    use: SampleResources & EpisodeSettings,
  ) {
    const { instance } = job;
    try {
      await gradeTrajectory(instance, trajectory, env, use, this.signal);
    } catch (error) {
      if (await this.engineLost(job, error)) return;
      trajectory.reward = 0;
      trajectory.metadata = { ...trajectory.metadata, grading_error: String(error) };
    }
    this.stats.done++;
    this.stats.rewardSum += trajectory.reward ?? 0;
    this.complete(instance, trajectory);
  }
}
