import { hostname } from 'node:os';

/** Label every RepoForge sandbox container carries; the reaper only ever touches these. */
export const SANDBOX_LABEL = 'repoforge.sandbox';
export const RUN_ID_LABEL = 'repoforge.run-id';
export const OWNER_PID_LABEL = 'repoforge.owner-pid';
export const OWNER_HOST_LABEL = 'repoforge.owner-host';
const CREATED_LABEL = 'repoforge.created-ms';

const PURPOSE_LABEL = 'repoforge.purpose';

/**
 * The labels of a new sandbox created by this process. Purpose and run id are always set (empty when not
 * given): an image committed from a sandbox carries that sandbox's labels, and a container made from it would
 * otherwise inherit them (an install's purpose, another run's id).
 */
export function sandboxLabels(
  runId: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    [PURPOSE_LABEL]: 'sandbox',
    ...extra,
    [SANDBOX_LABEL]: '1',
    [OWNER_PID_LABEL]: String(process.pid),
    [OWNER_HOST_LABEL]: hostname(),
    [CREATED_LABEL]: String(Date.now()),
    [RUN_ID_LABEL]: runId ?? '',
  };
}
