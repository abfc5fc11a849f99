export { type EpisodeOptions, runEpisode, trimHistory } from './agent.js';
export { RolloutEngine, type RolloutGroup, type RolloutOptions, type RolloutStats } from './engine.js';
export { HttpPolicy, type HttpPolicyOptions, type Policy, type PolicyTurn } from './policy.js';
export { gradeEpisode, type RewardMode } from './reward.js';
export { RolloutOutput } from './rollout-output.js';
export { rolloutSandboxPool } from './sandbox-pool.js';
export { TOOL_SPECS, ToolExecutor, type ToolResult, truncateMiddle } from './tools.js';
export { GroupServer, groupLine, toSftRecord } from './trainer-io.js';
