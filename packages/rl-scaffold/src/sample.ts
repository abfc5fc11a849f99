import type { RepoLocation, RepoSource } from '@repoforge/harness';
import { isEngineFault, type SandboxPool } from '@repoforge/sandbox';
import type { EnvSpec, Instance, Trajectory } from '@repoforge/schema';
import { runEpisode } from './agent.js';
import type { Policy } from './policy.js';
import { gradeEpisode, type RewardMode } from './reward.js';

/** How each episode runs and is graded (the same for every sample of a run, wherever it runs). */
export interface EpisodeSettings {
  maxTurns?: number;
  tokenBudget?: number;
  keepLastTurns?: number;
  reward?: RewardMode;
  randomWorkdir?: boolean;
}

/** What running an episode needs on the machine that runs it. */
export interface SampleResources {
  policy: Policy;
  /** The instance's environment (harness EnvSpec with `image`), e.g. planned by @repoforge/deps. */
  envFor: (instance: Instance, signal?: AbortSignal) => Promise<EnvSpec>;
  repoSource: RepoSource;
  pool: SandboxPool;
}

/** One (instance, sample) of a run; `attempt` counts its runs lost to an engine fault so far. */
export interface SampleJob {
  instance: Instance;
  sample: number;
  attempt?: number;
}

/** The record of an episode that failed before it could be graded (its cause kept; reward 0). */
export function failedSample(
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

/** The agent's episode in a pooled sandbox of the instance's environment. */
export async function agentEpisode(
  job: SampleJob,
  env: { spec: EnvSpec; location: RepoLocation; policyVersion: number | string },
  use: SampleResources & EpisodeSettings,
  signal?: AbortSignal,
): Promise<Trajectory> {
  const lease = await use.pool.acquire(env.spec.image!, { signal });
  try {
    const trajectory = await runEpisode({
      instance: job.instance,
      sandbox: lease.sandbox,
      policy: use.policy,
      location: env.location,
      sampleIndex: job.sample,
      policyVersion: env.policyVersion,
      maxTurns: use.maxTurns,
      tokenBudget: use.tokenBudget,
      keepLastTurns: use.keepLastTurns,
      randomWorkdir: use.randomWorkdir,
      signal,
    });
    // An episode its engine cut short in a way no command noticed is no sample: asked once, a sandbox
    // that went away answers SANDBOX_LOST (containers do not come back), and the job runs again.
    await lease.sandbox.exec(['true'], { signal });
    return trajectory;
  } finally {
    await lease.release();
  }
}

/** Sets the trajectory's reward, graded in a fresh pooled sandbox (an error here is the caller's to handle). */
export async function gradeTrajectory(
  instance: Instance,
  trajectory: Trajectory,
  env: { spec: EnvSpec; location: RepoLocation },
  use: SampleResources & EpisodeSettings,
  signal?: AbortSignal,
): Promise<void> {
  const lease = await use.pool.acquire(env.spec.image!, { signal });
  try {
    const r = await gradeEpisode({
      instance,
      patch: trajectory.model_patch,
      spec: env.spec,
      location: env.location,
      sandbox: lease.sandbox,
      mode: use.reward,
      signal,
    });
    trajectory.reward = r.reward;
    trajectory.resolved = r.resolved;
  } finally {
    await lease.release();
  }
}

/**
 * One whole graded sample, in order (episode, then grading): what a rollout worker runs for a queued job. A
 * failure is recorded in the trajectory (as the local engine records it); only an engine fault (a sandbox or
 * engine that went away) is thrown, for the queue to run the job again, on this machine or another.
 */
export async function gradedSample(
  job: SampleJob,
  policyVersion: number | string,
  use: SampleResources & EpisodeSettings,
  signal?: AbortSignal,
): Promise<Trajectory> {
  let env: { spec: EnvSpec; location: RepoLocation; policyVersion: number | string };
  let trajectory: Trajectory;
  try {
    const location = await use.repoSource.resolve(job.instance.repo, { signal });
    const spec = await use.envFor(job.instance, signal);
    env = { spec, location, policyVersion };
    trajectory = await agentEpisode(job, env, use, signal);
  } catch (error) {
    if (isEngineFault(error) || signal?.aborted) throw error;
    return failedSample(job.instance, job.sample, policyVersion, error);
  }
  try {
    await gradeTrajectory(job.instance, trajectory, env, use, signal);
  } catch (error) {
    if (isEngineFault(error) || signal?.aborted) throw error;
    trajectory.reward = 0;
    trajectory.metadata = { ...trajectory.metadata, grading_error: String(error) };
  }
  return trajectory;
}
