import { type RepoLocation, runInstance } from '@repoforge/harness';
import type { Sandbox } from '@repoforge/sandbox';
import type { EnvSpec, Instance } from '@repoforge/schema';

/** How a graded episode turns into a number. */
export type RewardMode = 'binary' | 'f2p_fraction';

/**
 * Grades a final patch with the harness on a fresh sandbox (the agent's sandbox could be tampered with):
 * 1 when resolved (RepoForge's reward), else 0 — or, with `f2p_fraction`, the fraction of FAIL_TO_PASS tests fixed
 * when PASS_TO_PASS all still pass.
 */
export async function gradeEpisode(input: {
  instance: Instance;
  patch: string | null;
  spec: EnvSpec;
  location: RepoLocation;
  sandbox: Sandbox;
  mode?: RewardMode;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<{ reward: number; resolved: boolean }> {
  if (!input.patch?.trim()) return { reward: 0, resolved: false };
  const r = await runInstance({
    instance: input.instance,
    prediction: {
      instance_id: input.instance.instance_id,
      model_name_or_path: 'policy',
      model_patch: input.patch,
    },
    spec: input.spec,
    parser: input.spec.log_parser ?? 'parse_log_pytest',
    location: input.location,
    sandbox: input.sandbox,
    timeoutMs: input.timeoutMs ?? 1_800_000,
    signal: input.signal,
  });
  const resolved = r.report?.resolved === true;
  if (input.mode !== 'f2p_fraction' || resolved) return { reward: resolved ? 1 : 0, resolved };
  const t = r.report?.tests_status;
  if (!t || t.PASS_TO_PASS.failure.length) return { reward: 0, resolved };
  const total = t.FAIL_TO_PASS.success.length + t.FAIL_TO_PASS.failure.length;
  return { reward: total ? t.FAIL_TO_PASS.success.length / total : 0, resolved };
}
