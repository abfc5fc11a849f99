import { shellQuote } from '@repoforge/sandbox';
import { filesOfPatch } from './eval-script.js';

/** Files a test patch may touch that are data, not tests (SWE-bench's NON_TEST_EXTS, suffix match as there). */
export const NON_TEST_EXTS = [
  '.json',
  '.png',
  'csv',
  '.txt',
  '.md',
  '.jpg',
  '.jpeg',
  '.pkl',
  '.yml',
  '.yaml',
  '.toml',
] as const;

/** The placeholder an env spec's `test_cmd` uses for the instance's test files or modules (`{tests:DEFAULT}` too). */
export const TESTS_PLACEHOLDER = '{tests}';

/**
 * SWE-bench's `get_test_directives`: the test files of an instance's test patch, data files dropped, and for
 * django the module labels its runner takes (`tests/a/b.py` -> `a.b`). Other repos keep the file paths
 * (pytest, sympy's bin/test, mocha, jest and vitest all take file arguments).
 */
export function testDirectives(instance: { repo: string; test_patch: string }): string[] {
  const files = filesOfPatch(instance.test_patch).filter(
    (f) => !NON_TEST_EXTS.some((ext) => f.endsWith(ext)),
  );
  if (instance.repo !== 'django/django') return files;
  return files.map((f) => {
    let d = f.endsWith('.py') ? f.slice(0, -3) : f;
    if (d.startsWith('tests/')) d = d.slice('tests/'.length);
    return d.replaceAll('/', '.');
  });
}

const PLACEHOLDER = /\{tests(?::([^}]*))?\}/g;

/**
 * The test command for one instance: `{tests}` becomes its directives, each shell-quoted (a file name from a
 * patch is untrusted text); with none (or for a whole-suite run) it becomes nothing, or the default written
 * after a colon, `{tests:test/ test/acceptance/}` (the paths a repo's own script passes). A command without
 * the placeholder runs as written (the whole suite).
 */
export function renderTestCmd(testCmd: string, directives: readonly string[]): string {
  return testCmd.replace(PLACEHOLDER, (_, fallback: string | undefined) =>
    directives.length ? directives.map(shellQuote).join(' ') : (fallback ?? ''),
  );
}
