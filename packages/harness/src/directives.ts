import { filesOfPatch } from './eval-script.js';

/** Files a test patch may touch that are data, not tests (SWE-bench's NON_TEST_EXTS, suffix match as there). */
const NON_TEST_EXTS = [
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

/**
 * Whether an instance's tests run as a whole suite unless told otherwise: Multi-SWE-bench's lists span whole
 * suites (its PASS_TO_PASS holds every test); every other instance runs its test directives.
 */
export function runsWholeSuite(instance: { repo: string; origin?: unknown }, wholeSuite?: boolean): boolean {
  return wholeSuite ?? instance.origin === 'multi-swe-bench';
}
