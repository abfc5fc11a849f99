import { z } from 'zod';
import { pythonJsonDumps } from './python-literals.js';

/** `{success, failure}` lists of test names, as in SWE-bench's report.json. */
export const TestOutcomeLists = z.object({
  success: z.array(z.string()),
  failure: z.array(z.string()),
});
export type TestOutcomeLists = z.infer<typeof TestOutcomeLists>;

/** The four transition buckets SWE-bench grades. */
export const TestsStatus = z.object({
  FAIL_TO_PASS: TestOutcomeLists,
  PASS_TO_PASS: TestOutcomeLists,
  FAIL_TO_FAIL: TestOutcomeLists,
  PASS_TO_FAIL: TestOutcomeLists,
});
export type TestsStatus = z.infer<typeof TestsStatus>;

/** One instance's verdict, exactly the object SWE-bench stores under the instance id in report.json. */
export const InstanceReport = z.object({
  patch_is_None: z.boolean(),
  patch_exists: z.boolean(),
  patch_successfully_applied: z.boolean(),
  resolved: z.boolean(),
  tests_status: TestsStatus.optional(),
});
export type InstanceReport = z.infer<typeof InstanceReport>;

/** A whole report.json file: `{ [instance_id]: InstanceReport }`. */
export const InstanceReportFile = z.record(z.string(), InstanceReport);
export type InstanceReportFile = z.infer<typeof InstanceReportFile>;

/** The run summary SWE-bench writes as `<model>.<run_id>.json` (schema_version 2). */
export const RunSummary = z.object({
  total_instances: z.number().int(),
  submitted_instances: z.number().int(),
  completed_instances: z.number().int(),
  resolved_instances: z.number().int(),
  unresolved_instances: z.number().int(),
  empty_patch_instances: z.number().int(),
  error_instances: z.number().int(),
  completed_ids: z.array(z.string()),
  incomplete_ids: z.array(z.string()),
  empty_patch_ids: z.array(z.string()),
  submitted_ids: z.array(z.string()),
  resolved_ids: z.array(z.string()),
  unresolved_ids: z.array(z.string()),
  error_ids: z.array(z.string()),
  schema_version: z.literal(2),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** report.json text byte-for-byte as SWE-bench writes it (`json.dumps(report, indent=4)`, no newline). */
export function formatInstanceReportFile(instanceId: string, report: InstanceReport): string {
  const ordered: Record<string, unknown> = {
    patch_is_None: report.patch_is_None,
    patch_exists: report.patch_exists,
    patch_successfully_applied: report.patch_successfully_applied,
    resolved: report.resolved,
  };
  if (report.tests_status) {
    const t = report.tests_status;
    const lists = (l: TestOutcomeLists) => ({ success: l.success, failure: l.failure });
    ordered.tests_status = {
      FAIL_TO_PASS: lists(t.FAIL_TO_PASS),
      PASS_TO_PASS: lists(t.PASS_TO_PASS),
      FAIL_TO_FAIL: lists(t.FAIL_TO_FAIL),
      PASS_TO_FAIL: lists(t.PASS_TO_FAIL),
    };
  }
  return pythonJsonDumps({ [instanceId]: ordered }, 4);
}

/** The summary text as SWE-bench writes it (`print(json.dumps(report, indent=4), file=f)`). */
export function formatRunSummary(summary: RunSummary): string {
  return `${pythonJsonDumps(RunSummary.parse(summary), 4)}\n`;
}
