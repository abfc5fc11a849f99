/**
 * @repoforge/rl-scaffold — rollouts for RL/SFT. Not implemented yet: this release carries only the
 * group type (see the README's status).
 */
import type { Trajectory } from '@repoforge/schema';

/** The k samples of one instance, emitted together for GRPO/RLOO-style advantages. */
export interface RolloutGroup {
  instance_id: string;
  samples: Trajectory[];
}
