/**
 * A patch that adds one file no test reads: the tests run as they would with no fix at all. (An empty
 * `model_patch` is SWE-bench's `empty_patch` and never runs, so it cannot show that the tests fail without
 * the fix.)
 */
export const NOOP_PATCH = [
  'diff --git a/repoforge-noop.txt b/repoforge-noop.txt',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/repoforge-noop.txt',
  '@@ -0,0 +1 @@',
  '+no fix',
  '',
].join('\n');
