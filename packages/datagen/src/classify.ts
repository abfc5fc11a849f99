/** Rules for what counts as a test file, per ecosystem; configurable. */
export interface TestFileRules {
  python: RegExp[];
  node: RegExp[];
}

export const DEFAULT_TEST_RULES: TestFileRules = {
  python: [/(^|\/)test_[^/]*\.py$/, /_test\.py$/, /(^|\/)tests?\//, /(^|\/)conftest\.py$/],
  node: [/\.(test|spec)\.[cm]?[jt]sx?$/, /(^|\/)__tests__\//, /(^|\/)tests?\//],
};

const DOCS = [
  /\.(md|rst|txt|adoc)$/i,
  /(^|\/)docs?\//,
  /(^|\/)(README|CHANGELOG|CHANGES|AUTHORS|LICENSE|CONTRIBUTING)[^/]*$/i,
];
const LOCKFILES =
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|Pipfile\.lock|npm-shrinkwrap\.json)$/;
const GENERATED = [
  /(^|\/)(dist|build|vendor|node_modules)\//,
  /\.min\.(js|css)$/,
  /\.map$/,
  /(^|\/)__snapshots__\//,
  /\.snap$/,
];

export function isTestFile(path: string, rules: TestFileRules = DEFAULT_TEST_RULES): boolean {
  return [...rules.python, ...rules.node].some((r) => r.test(path));
}
export const isDocFile = (path: string) => DOCS.some((r) => r.test(path));
export const isLockfile = (path: string) => LOCKFILES.test(path);
export const isGenerated = (path: string) => GENERATED.some((r) => r.test(path));

/** Limits on what a candidate may change. */
export interface CandidateLimits {
  maxFiles: number;
  maxLines: number;
  maxHunks: number;
  /** A changed file larger than this (either side) is `too_large`, known from its header and never read. */
  maxBlobBytes?: number;
}
export const DEFAULT_LIMITS: CandidateLimits = {
  maxFiles: 20,
  maxLines: 800,
  maxHunks: 40,
  maxBlobBytes: 32 * 1024 * 1024,
};

/** Why a commit is not a candidate (the funnel counts each). */
export type RejectReason =
  | 'merge_commit'
  | 'root_commit'
  | 'no_test_change'
  | 'no_code_change'
  | 'docs_only'
  | 'lockfile_only'
  | 'generated_only'
  | 'formatting_only'
  | 'binary_change'
  /** A tree entry git itself refuses (`..`, `.git`, a path with `/`): a hostile or broken commit. */
  | 'unsafe_path'
  | 'too_large'
  | 'env_failed'
  /** The environment built, but with the fix applied its test command ran no test (see harness runHealth). */
  | 'env_broken'
  | 'no_f2p'
  | 'flaky_only'
  | 'gold_not_resolved'
  | 'timeout'
  | 'patch_does_not_apply';

/**
 * Classifies a commit's changed paths: test files vs code files, skipping docs, lockfiles and generated files.
 * Returns the reason to reject, or the split.
 */
export function splitChange(
  paths: readonly string[],
  rules: TestFileRules = DEFAULT_TEST_RULES,
): { reject: RejectReason } | { tests: string[]; code: string[] } {
  const tests = paths.filter((p) => isTestFile(p, rules));
  const rest = paths.filter((p) => !isTestFile(p, rules));
  const code = rest.filter((p) => !isDocFile(p) && !isLockfile(p) && !isGenerated(p));
  if (paths.length && paths.every(isDocFile)) return { reject: 'docs_only' };
  if (paths.length && paths.every(isLockfile)) return { reject: 'lockfile_only' };
  if (paths.length && paths.every((p) => isGenerated(p) || isLockfile(p)))
    return { reject: 'generated_only' };
  if (tests.length === 0) return { reject: 'no_test_change' };
  if (code.length === 0) return { reject: 'no_code_change' };
  return { tests, code };
}
