import { z } from 'zod';
import { RunRuntime } from './runtime-probe.js';

/** One step of obtaining an environment: the rung tried and what came of it (@repoforge/deps' EnvAttempt). */
export const EnvAttemptRecord = z.object({
  rung: z.string(),
  outcome: z.string(),
  detail: z.string(),
  ms: z.number(),
});
export type EnvAttemptRecord = z.infer<typeof EnvAttemptRecord>;

/** Where an instance's environment comes from, before anything is built: recorded with each result. */
export const EnvProvenance = z.object({
  source: z.enum(['instance-image', 'env-spec', 'recipe', 'planned']),
  /** The recipe flavour, the image, or a hash of the env spec: what decides the environment. */
  detail: z.string(),
  /** How a planned environment was obtained (the repair ladder's rungs, in order), when it was verified. */
  attempts: z.array(EnvAttemptRecord).optional(),
  /** What ran the tests this time: tool versions (Node.js, Python, package managers) and the image. */
  runtime: RunRuntime.optional(),
});
export type EnvProvenance = z.infer<typeof EnvProvenance>;
