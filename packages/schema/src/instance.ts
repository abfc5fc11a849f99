import { z } from 'zod';
import { InstanceId } from './names.js';
import { encodeTestList, TestList } from './test-list.js';

/** SWE-bench's difficulty buckets (Verified's human annotations). */
export const Difficulty = z.enum(['<15 min fix', '15 min - 1 hour', '1-4 hours', '>4 hours']);
export type Difficulty = z.infer<typeof Difficulty>;

/**
 * A task instance in SWE-bench's schema. Unknown extra fields are kept (zod loose object), so a dataset
 * read and written back loses nothing. `FAIL_TO_PASS` / `PASS_TO_PASS` are always `string[]` once parsed.
 */
export const Instance = z.looseObject({
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/name"'),
  instance_id: InstanceId,
  base_commit: z.string().min(1),
  patch: z.string(),
  test_patch: z.string(),
  problem_statement: z.string().default(''),
  hints_text: z.string().default(''),
  created_at: z.string().default(''),
  version: z.union([z.string(), z.number().transform(String)]).default(''),
  FAIL_TO_PASS: TestList,
  PASS_TO_PASS: TestList,
  environment_setup_commit: z.string().optional(),
  difficulty: z.string().optional(),
  eval_script: z.string().optional(),
  log_parser: z.string().optional(),
  eval_type: z.string().optional(),
  image: z.string().optional(),
});
export type Instance = z.infer<typeof Instance>;
/** What an Instance may look like before parsing (test lists as strings, optional defaults absent). */
export type InstanceInput = z.input<typeof Instance>;

/** The JSON object SWE-bench writes for an instance: test lists as JSON-encoded strings. */
export type SerializedInstance = Omit<Instance, 'FAIL_TO_PASS' | 'PASS_TO_PASS'> & {
  FAIL_TO_PASS: string;
  PASS_TO_PASS: string;
};

/** Converts a parsed instance to SWE-bench's on-disk form (test lists as `json.dumps` strings). */
export function serializeInstance(instance: Instance): SerializedInstance {
  return {
    ...instance,
    FAIL_TO_PASS: encodeTestList(instance.FAIL_TO_PASS),
    PASS_TO_PASS: encodeTestList(instance.PASS_TO_PASS),
  };
}
