import { z } from 'zod';

/** A single test's outcome, with SWE-bench's names. */
export const TestStatus = z.enum(['PASSED', 'FAILED', 'SKIPPED', 'ERROR', 'XFAIL']);
export type TestStatus = z.infer<typeof TestStatus>;

/** Test name -> status, as a log parser returns it. Later entries for the same name win, as in SWE-bench. */
export const TestStatusMap = z.record(z.string(), TestStatus);
export type TestStatusMap = z.infer<typeof TestStatusMap>;
