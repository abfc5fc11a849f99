import { randomBytes } from 'node:crypto';
import { parseGitDiff, shellQuote } from '@repoforge/schema';
import { MARKERS } from './grading.js';

/** Files a diff touches (the `b/` side), as SWE-bench lists a test patch's test files. */
export function filesOfPatch(patch: string): string[] {
  return parseGitDiff(patch).map((f) => f.path);
}

/** Everything the eval script needs. */
export interface EvalScriptInput {
  repoDir: string;
  baseCommit: string;
  testPatch: string;
  testCmd: string;
  /** Steps run before the tests (no network), e.g. linking prebuilt dependencies into the checkout. */
  preTest?: readonly string[];
}

/**
 * The script run in the sandbox for one instance, in SWE-bench's shape: reset the test files, apply the
 * test patch, run the tests between the start/end markers, record the exit code, restore the test files,
 * and exit with the test command's code (the engine reports it: a test cannot forge it in the log).
 */
export function makeEvalScript(input: EvalScriptInput): string {
  const files = filesOfPatch(input.testPatch).map(shellQuote).join(' ');
  const eof = `EOF_REPOFORGE_${randomBytes(6).toString('hex')}`;
  const patch = input.testPatch.endsWith('\n') ? input.testPatch : `${input.testPatch}\n`;
  const reset = files ? `git checkout ${input.baseCommit} -- ${files}` : ':';
  return [
    '#!/bin/bash',
    'set -uxo pipefail',
    `cd ${shellQuote(input.repoDir)}`,
    'git status',
    `git -c core.fileMode=false diff ${input.baseCommit}`,
    ...(input.preTest ?? []),
    reset,
    `git apply -v - <<'${eof}'`,
    `${patch}${eof}`,
    `: '${MARKERS.START_TEST_OUTPUT}'`,
    input.testCmd,
    'repoforge_rc=$?',
    `: '${MARKERS.END_TEST_OUTPUT}'`,
    `echo "${MARKERS.TEST_EXIT_CODE}: $repoforge_rc"`,
    reset,
    'exit $repoforge_rc',
    '',
  ].join('\n');
}
