import { join } from 'node:path';

/** SWE-bench's folder name for a model: `/` becomes `__`. */
function modelDirName(model: string): string {
  return model.replaceAll('/', '__');
}

/** `<reportDir>/logs/run_evaluation/<runId>/<model>/<instanceId>`, SWE-bench's layout. */
export function instanceLogDir(reportDir: string, runId: string, model: string, instanceId: string): string {
  return join(reportDir, 'logs', 'run_evaluation', runId, modelDirName(model), instanceId);
}

/** `<reportDir>/<model>.<runId>.json`, SWE-bench's summary file. */
export function summaryPath(reportDir: string, runId: string, model: string): string {
  return join(reportDir, `${modelDirName(model)}.${runId}.json`);
}

/** The files of one instance's run. */
export const LOG_FILES = {
  report: 'report.json',
  testOutput: 'test_output.txt',
  patch: 'patch.diff',
  evalScript: 'eval.sh',
  instanceLog: 'run_instance.log',
  timings: 'timings.json',
  statuses: 'test_statuses.json',
  /** Where the environment came from (resuming a run id reruns results from another environment). */
  environment: 'environment.json',
  /** How many expected test names the log showed (fewer than all: a naming problem, not a verdict). */
  testsSeen: 'tests_seen.json',
  /** Why an instance got no verdict (`{ class, reason }`), when it is an error. */
  error: 'error.json',
  /** The instance's tests left out of grading (they need the internet), when there are any. */
  excluded: 'excluded_tests.json',
} as const;
