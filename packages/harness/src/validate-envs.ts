import { type EvaluationOptions, type EvaluationResult, runEvaluation } from './run-evaluation.js';

/** What `validateEnvironments` found: each instance servable (gold resolves in its environment) or why not. */
export interface EnvValidationReport {
  servable: string[];
  unservable: Record<string, { class: string; reason: string }>;
  /** Gold runs made (validations not already saved for their environment). */
  validated: number;
  result: EvaluationResult;
}

/**
 * Validates a dataset's environments before any model is evaluated there (`repoforge env validate`): each
 * instance's gold patch runs once in the environment `eval run` would give it, and the finding is saved per
 * environment and instance, so `eval run --validate-envs` later runs no gold patch again.
 */
export async function validateEnvironments(
  options: Omit<EvaluationOptions, 'predictions' | 'validateEnvs'>,
): Promise<EnvValidationReport> {
  const before = options.validations?.ran ?? 0;
  const result = await runEvaluation({ ...options, predictions: 'gold', validateEnvs: true });
  return {
    servable: result.summary.resolved_ids,
    unservable: Object.fromEntries([
      ...result.summary.unresolved_ids.map((id) => [id, { class: 'unservable', reason: 'gold unresolved' }]),
      ...Object.entries(result.errors),
    ]),
    validated: (options.validations?.ran ?? 0) - before,
    result,
  };
}
