export { type EpisodeOptions, runEpisode, trimHistory } from './agent.js';
export {
  RolloutEngine,
  type RolloutEpisodes,
  type RolloutGroup,
  type RolloutOptions,
  type RolloutSchedule,
  type RolloutStats,
  type RunSample,
} from './engine.js';
export { HttpPolicy, type HttpPolicyOptions, type Policy, type PolicyTurn } from './policy.js';
export {
  PolicyEndpoint,
  type QueuedSamplesOptions,
  queuedSamples,
  ROLLOUT_QUEUE_NAME,
  type RolloutWorkerOptions,
  rolloutRunId,
  runRolloutWorker,
} from './queue.js';
export { gradeEpisode, type RewardMode } from './reward.js';
export { RolloutOutput } from './rollout-output.js';
export {
  agentEpisode,
  type EpisodeSettings,
  failedSample,
  gradedSample,
  gradeTrajectory,
  type SampleJob,
  type SampleResources,
} from './sample.js';
export { rolloutSandboxPool } from './sandbox-pool.js';
export { TOOL_SPECS, ToolExecutor, type ToolResult, truncateMiddle } from './tools.js';
export { GroupServer, groupLine, toSftRecord } from './trainer-io.js';
