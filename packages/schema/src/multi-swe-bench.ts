import { z } from 'zod';
import type { Instance } from './instance.js';

const TestTransition = z.object({ run: z.string(), test: z.string(), fix: z.string() });

/** A Multi-SWE-bench row (the fields the adapter reads; the rest is kept as extras). */
export const MultiSweBenchRow = z.looseObject({
  org: z.string(),
  repo: z.string(),
  number: z.number().int(),
  instance_id: z.string().optional(),
  title: z.string().default(''),
  body: z.string().nullable().default(''),
  base: z.looseObject({ sha: z.string(), ref: z.string().optional(), label: z.string().optional() }),
  resolved_issues: z
    .array(
      z.looseObject({
        number: z.number().optional(),
        title: z.string().nullable(),
        body: z.string().nullable(),
      }),
    )
    .default([]),
  fix_patch: z.string(),
  test_patch: z.string(),
  f2p_tests: z.record(z.string(), TestTransition).default({}),
  p2p_tests: z.record(z.string(), TestTransition).default({}),
  s2p_tests: z.record(z.string(), TestTransition).default({}),
  n2p_tests: z.record(z.string(), TestTransition).default({}),
  created_at: z.string().optional(),
});
export type MultiSweBenchRow = z.infer<typeof MultiSweBenchRow>;

/**
 * Maps a Multi-SWE-bench row to an Instance. Tests that go fail->pass, skip->pass and none->pass
 * (new in the test patch) all count as FAIL_TO_PASS, matching SWE-bench's "missing means failed".
 * The problem statement is the resolved issues' titles and bodies (the PR's own when there are none).
 */
export function instanceFromMultiSweBench(row: MultiSweBenchRow): Instance {
  const {
    org,
    repo,
    number,
    instance_id,
    base,
    fix_patch,
    test_patch,
    f2p_tests,
    p2p_tests,
    s2p_tests,
    n2p_tests,
    resolved_issues,
    title,
    body,
    created_at,
    ...rest
  } = row;
  const issues = resolved_issues.length > 0 ? resolved_issues : [{ title, body }];
  const statement = issues.map((i) => [i.title ?? '', i.body ?? ''].filter(Boolean).join('\n')).join('\n\n');
  const failToPass = [...Object.keys(f2p_tests), ...Object.keys(s2p_tests), ...Object.keys(n2p_tests)];
  return {
    ...rest,
    repo: `${org}/${repo}`,
    instance_id: instance_id ?? `${org}__${repo}-${number}`,
    base_commit: base.sha,
    patch: fix_patch,
    test_patch,
    problem_statement: statement,
    hints_text: '',
    created_at: created_at ?? '',
    version: '',
    FAIL_TO_PASS: [...new Set(failToPass)],
    PASS_TO_PASS: Object.keys(p2p_tests),
    environment_setup_commit: base.sha,
    number,
    title,
    // Its test names follow Multi-SWE-bench's conventions: the harness picks parsers that name them so.
    origin: 'multi-swe-bench',
  };
}
