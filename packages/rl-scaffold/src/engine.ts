import { setTimeout as sleep } from 'node:timers/promises';
import type { RepoLocation, RepoSource } from '@repoforge/harness';
import { isEngineFault, type Logger, type SandboxPool } from '@repoforge/sandbox';
import type { EnvSpec, Instance, Trajectory } from '@repoforge/schema';
import { runEpisode } from './agent.js';
import type { Policy } from './policy.js';
import { gradeEpisode, type RewardMode } from './reward.js';

/** The k samples of one instance, emitted together for GRPO/RLOO-style advantages. */
export interface RolloutGroup {
  instance_id: string;
  samples: Trajectory[];
}

export interface RolloutOptions {
  policy: Policy;
  /** The instance's environment (harness EnvSpec with `image`), e.g. planned by @repoforge/deps. */
  envFor: (instance: Instance, signal?: AbortSignal) => Promise<EnvSpec>;
  repoSource: RepoSource;
  pool: SandboxPool;
  samples?: number;
  concurrency?: number;
  maxTurns?: number;
  tokenBudget?: number;
  keepLastTurns?: number;
  reward?: RewardMode;
  randomWorkdir?: boolean;
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
  /**
   * Replaces the sandboxed episode + grading with a function (simulations, benchmarks): it returns the graded
   * trajectory of one (instance, sample) job.
   */
  runSample?: (
    instance: Instance,
    sample: number,
    policyVersion: string | number,
    signal?: AbortSignal,
  ) => Promise<Trajectory>;
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

/** The record of an episode that failed before it could be graded (its cause kept; reward 0). */
function failedSample(
  instance: Instance,
  sample: number,
  policyVersion: string | number,
  error: unknown,
): Trajectory {
  return {
    instance_id: instance.instance_id,
    sample_index: sample,
    messages: [],
    model_patch: null,
    reward: 0,
    stop_reason: 'error',
    error: String(error),
    policy_version: policyVersion,
    metadata: {},
  };
}

interface Job {
  instance: Instance;
  sample: number;
  /** Runs of this job lost to an engine fault so far. */
  attempt?: number;
}

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
    const k = this.options.samples ?? 4;
    const jobs: Job[] = instances.flatMap((instance) =>
      Array.from({ length: k }, (_, sample) => ({ instance, sample })),
    );
    this.stats.queued = jobs.length;
    const partial = new Map<string, Trajectory[]>();
    const ready: RolloutGroup[] = [];
    const grading = new Set<Promise<void>>();
    // Everyone who waits (the consumer, workers held by backpressure or by grading) waits for the next change;
    // every change (a group ready, an episode or grading done, a group taken, an abort) wakes them all.
    let waiters: (() => void)[] = [];
    const notify = () => {
      const woken = waiters;
      waiters = [];
      for (const w of woken) w();
    };
    const nextChange = () => new Promise<void>((r) => waiters.push(r));
    signal?.addEventListener('abort', notify, { once: true });
    const version = () => this.options.policyVersion?.() ?? 0;
    const abandoned = new Set<string>();
    /** Requeues a job its engine lost (after a pause), or abandons its instance; false when not that. */
    const engineLost = async (job: Job, error: unknown): Promise<boolean> => {
      if (!isEngineFault(error)) return false;
      const id = job.instance.instance_id;
      const attempt = job.attempt ?? 0;
      if (attempt >= (this.options.engineRetries ?? 3)) {
        this.options.logger?.warn('rollout: engine lost, instance left for a rerun', {
          id,
          error: String(error),
        });
        if (!abandoned.has(id)) this.stats.unfinished++;
        abandoned.add(id);
        partial.delete(id);
        return true;
      }
      this.stats.retried++;
      this.options.logger?.warn('rollout: engine lost, sample retried', {
        id,
        attempt,
        error: String(error),
      });
      await sleep((this.options.engineRetryDelayMs ?? 2000) * 2 ** attempt, undefined, { signal }).catch(
        () => undefined,
      );
      if (signal?.aborted) return true; // stopping: the job stays undone, like every job not started
      jobs.unshift({ ...job, attempt: attempt + 1 });
      this.stats.queued = jobs.length;
      return true;
    };
    const complete = (instance: Instance, t: Trajectory) => {
      if (abandoned.has(instance.instance_id)) return;
      const list = [...(partial.get(instance.instance_id) ?? []), t];
      partial.set(instance.instance_id, list);
      if (list.length < k) return;
      const max = this.options.maxStaleness;
      const now = version();
      const stale =
        max === undefined || typeof now !== 'number'
          ? []
          : list.filter((s) => typeof s.policy_version === 'number' && now - s.policy_version > max);
      if (stale.length) {
        partial.set(
          instance.instance_id,
          list.filter((s) => !stale.includes(s)),
        );
        this.stats.resampled += stale.length;
        // First in line: the rest of its group is waiting (at the back, it would wait for the whole queue and
        // go stale in turn).
        jobs.unshift(...stale.map((s) => ({ instance, sample: s.sample_index })));
        this.stats.queued = jobs.length;
        return;
      }
      partial.delete(instance.instance_id);
      ready.push({
        instance_id: instance.instance_id,
        samples: list.sort((a, b) => a.sample_index - b.sample_index),
      });
      this.stats.groups++;
      notify();
    };
    const episode = async (job: Job) => {
      const { instance } = job;
      const policyVersion = version();
      if (this.options.runSample) {
        let t: Trajectory;
        try {
          t = await this.options.runSample(instance, job.sample, policyVersion, signal);
        } catch (error) {
          if (await engineLost(job, error)) return;
          t = failedSample(instance, job.sample, policyVersion, error);
        }
        if (t.stop_reason === 'error') this.stats.failed++;
        this.stats.done++;
        this.stats.rewardSum += t.reward ?? 0;
        complete(instance, t);
        return;
      }
      let spec: EnvSpec;
      let trajectory: Trajectory;
      let location: RepoLocation;
      try {
        // Inside the try: a repo that cannot be cloned fails its samples, never the run.
        location = await this.options.repoSource.resolve(instance.repo, { signal });
        spec = await this.options.envFor(instance, signal);
        const lease = await this.options.pool.acquire(spec.image!, { signal });
        try {
          trajectory = await runEpisode({
            instance,
            sandbox: lease.sandbox,
            policy: this.options.policy,
            location,
            sampleIndex: job.sample,
            policyVersion,
            maxTurns: this.options.maxTurns,
            tokenBudget: this.options.tokenBudget,
            keepLastTurns: this.options.keepLastTurns,
            randomWorkdir: this.options.randomWorkdir,
            signal,
          });
          // An episode its engine cut short in a way no command noticed is no sample: asked once, a sandbox
          // that went away answers SANDBOX_LOST (containers do not come back), and the job runs again.
          await lease.sandbox.exec(['true'], { signal });
        } finally {
          await lease.release();
        }
      } catch (error) {
        if (await engineLost(job, error)) return;
        this.stats.failed++;
        complete(instance, failedSample(instance, job.sample, policyVersion, error));
        return;
      }
      if (trajectory.stop_reason === 'error') this.stats.failed++;
      // Graded in the background: the worker goes on to its next episode meanwhile.
      const g = (async () => {
        try {
          const lease = await this.options.pool.acquire(spec.image!, { signal });
          try {
            const r = await gradeEpisode({
              instance,
              patch: trajectory.model_patch,
              spec,
              location,
              sandbox: lease.sandbox,
              mode: this.options.reward,
              signal,
            });
            trajectory.reward = r.reward;
            trajectory.resolved = r.resolved;
          } finally {
            await lease.release();
          }
        } catch (error) {
          if (await engineLost(job, error)) return;
          trajectory.reward = 0;
          trajectory.metadata = { ...trajectory.metadata, grading_error: String(error) };
        }
        this.stats.done++;
        this.stats.rewardSum += trajectory.reward ?? 0;
        complete(instance, trajectory);
      })();
      grading.add(g);
      g.finally(() => {
        grading.delete(g);
        notify();
      });
    };
    let active = 0;
    const worker = async () => {
      for (;;) {
        // An abort stops intake at once: episodes in flight end through their own signal.
        if (signal?.aborted) return;
        if (ready.length >= (this.options.maxBufferedGroups ?? Number.POSITIVE_INFINITY)) {
          await nextChange();
          continue;
        }
        const job = jobs.shift();
        this.stats.queued = jobs.length;
        if (!job) {
          if (grading.size === 0 && active === 0) return;
          // Grading in flight may send stale samples back to the queue: wait for it to settle.
          await nextChange();
          continue;
        }
        active++;
        this.stats.running++;
        try {
          await episode(job);
        } finally {
          active--;
          this.stats.running--;
          notify();
        }
      }
    };
    const workers = Promise.all(Array.from({ length: this.options.concurrency ?? 4 }, worker)).then(
      async () => {
        await Promise.all([...grading]);
        notify();
      },
    );
    let finished = false;
    workers.then(() => {
      finished = true;
      notify();
    });
    while (!finished || ready.length) {
      if (ready.length) {
        const group = ready.shift()!;
        notify(); // a slot freed for workers held by backpressure
        yield group;
        continue;
      }
      const change = nextChange();
      if (!ready.length && !finished) await change;
    }
    await workers;
    signal?.throwIfAborted();
  }
}
