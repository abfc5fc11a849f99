import { evalSandboxCreator } from '@repoforge/harness';
import { type Sandbox, type SandboxOptions, SandboxPool } from '@repoforge/sandbox';

/**
 * The sandbox pool rollouts run in: the evaluation's sandboxes (no network, eval's process limit), two per
 * concurrent episode (one generating, one grading), one kept warm.
 */
export function rolloutSandboxPool(options: {
  createSandbox: (options: SandboxOptions) => Promise<Sandbox>;
  /** Episodes at once (default 4). */
  concurrency?: number;
  runId?: string;
}): SandboxPool {
  return new SandboxPool({
    warm: 1,
    max: (options.concurrency ?? 4) * 2,
    create: evalSandboxCreator(options.createSandbox, { runId: options.runId }),
  });
}
