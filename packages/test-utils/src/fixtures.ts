import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (the folder with nx.json). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('test-utils: cannot find the monorepo root (nx.json)');
    dir = up;
  }
  return dir;
})();

/**
 * ../shared/fixtures beside the project root (or $REPOFORGE_FIXTURES), or undefined when absent.
 * Tests that need it skip with a clear message instead of failing on machines without the data.
 */
export function sharedFixturesDir(): string | undefined {
  const dir = process.env.REPOFORGE_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
  return existsSync(dir) ? dir : undefined;
}

/** Path of a file under the shared fixtures (throws if the folder is absent: guard with sharedFixturesDir). */
export function sharedFixture(...parts: string[]): string {
  const dir = sharedFixturesDir();
  if (!dir) throw new Error('shared fixtures are absent (expected ../shared/fixtures)');
  return join(dir, ...parts);
}

const warned = new Set<string>();

/** Prints a loud, once-per-reason notice that a group of tests is skipped, and returns true to skip. */
export function skipLoudly(reason: string): true {
  if (!warned.has(reason)) {
    warned.add(reason);
    process.stderr.write(`\n!!! SKIPPED: ${reason}\n\n`);
  }
  return true;
}

/**
 * Predictions that apply and change nothing the tests see (a new file at the root): the "before" side of
 * every instance, so a run with them must resolve none.
 */
export function noopPredictions(instances: readonly { instance_id: string }[]) {
  const patch =
    'diff --git a/REPOFORGE_NOOP b/REPOFORGE_NOOP\nnew file mode 100644\n--- /dev/null\n+++ b/REPOFORGE_NOOP\n@@ -0,0 +1 @@\n+no fix\n';
  return instances.map((i) => ({
    instance_id: i.instance_id,
    model_name_or_path: 'noop',
    model_patch: patch,
  }));
}

/**
 * The real SWE-bench Verified rows of requests, flask, pytest, pylint, sphinx, seaborn and xarray that CI grades
 * (one per repo and Debian suite, from ../shared/fixtures/instances/swebench_verified_py7_subset.jsonl); the
 * harness's py7 test grades them and tools/prepare-test-images.ts builds their recipe images up front.
 */
export const SWEBENCH_PY7_CI_IDS: readonly string[] = [
  'psf__requests-6028',
  'psf__requests-1142', // bullseye
  'psf__requests-2317', // bullseye; 7 tests need hosts other than httpbin: unservable
  'pallets__flask-5014',
  'pytest-dev__pytest-10051',
  'pytest-dev__pytest-7432', // bullseye
  'pylint-dev__pylint-6386',
  'pylint-dev__pylint-8898', // needs astroid 3: unservable
  'sphinx-doc__sphinx-10614',
  'sphinx-doc__sphinx-9230', // bullseye lacks sphinxcontrib-applehelp: unservable
  'mwaskom__seaborn-3069',
  'pydata__xarray-7229',
];
