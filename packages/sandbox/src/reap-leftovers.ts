import type { Logger } from './types.js';

/** Removes sandboxes killed earlier processes left: of one run id, or without one those whose owner is gone. */
export type ReapLeftovers = (options: { runId?: string; signal?: AbortSignal }) => Promise<unknown>;

/**
 * Runs the reaper a long job starts with, once it holds its lock: `reap` when given, else with the default
 * (Docker) sandboxes `reapSandboxes` (loaded only then). Best effort: an engine that does not answer fails
 * the job where it is needed, with its own error, so a failure here is a warning; an abort still throws.
 */
export async function reapLeftoversBestEffort(options: {
  reap?: ReapLeftovers;
  /** Whether the job uses the default Docker sandboxes (no `createSandbox` of its own). */
  dockerDefault: boolean;
  runId?: string;
  signal?: AbortSignal;
  logger?: Logger;
}): Promise<void> {
  const reap =
    options.reap ?? (options.dockerDefault ? (await import('./reaper.js')).reapSandboxes : undefined);
  try {
    await reap?.({ runId: options.runId, signal: options.signal });
  } catch (error) {
    options.signal?.throwIfAborted();
    options.logger?.warn('could not remove sandboxes left by killed runs', {
      runId: options.runId,
      error: (error as Error).message,
    });
  }
}
