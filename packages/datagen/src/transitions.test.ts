import { readFileSync } from 'node:fs';
import type { TestStatusMap } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { deriveTransitions, splitChange } from './index.js';

interface RunResult {
  passed_tests: string[];
  failed_tests: string[];
  skipped_tests: string[];
}
const toMap = (r: RunResult): TestStatusMap => {
  const m: TestStatusMap = {};
  for (const t of r.passed_tests) m[t] = 'PASSED';
  for (const t of r.failed_tests) m[t] = 'FAILED';
  for (const t of r.skipped_tests) m[t] = 'SKIPPED';
  return m;
};

describe.skipIf(
  !sharedFixturesDir() && skipLoudly('shared fixtures absent: Multi-SWE-bench derivation test SKIPPED'),
)('F2P/P2P derivation against Multi-SWE-bench', () => {
  it('reproduces f2p_tests and p2p_tests of every row from its base+tests and base+tests+fix runs', () => {
    let rows = 0;
    for (const file of ['multi_swe_bench_js.jsonl', 'multi_swe_bench_ts_darkreader.jsonl']) {
      for (const line of readFileSync(sharedFixture('instances', file), 'utf8').split('\n').filter(Boolean)) {
        const row = JSON.parse(line);
        // That dataset's rule: base (run), base+tests (test), base+tests+fix (fix); the base run does not count.
        const t = deriveTransitions([toMap(row.test_patch_result)], [toMap(row.fix_patch_result)]);
        expect(t.byBefore.failed, row.instance_id).toEqual(Object.keys(row.f2p_tests).sort());
        expect(t.passToPass, row.instance_id).toEqual(Object.keys(row.p2p_tests).sort());
        expect(t.byBefore.missing, row.instance_id).toEqual(Object.keys(row.n2p_tests).sort());
        expect(t.byBefore.skipped, row.instance_id).toEqual(Object.keys(row.s2p_tests).sort());
        rows++;
      }
    }
    expect(rows).toBe(30);
  });
});

describe('deriveTransitions', () => {
  it('requires every repeat to agree; disagreeing tests are flaky and excluded', () => {
    const before = [
      { a: 'FAILED', b: 'PASSED', c: 'PASSED', d: 'FAILED' },
      { a: 'FAILED', b: 'PASSED', c: 'FAILED', d: 'FAILED' },
    ] as TestStatusMap[];
    const after = [
      { a: 'PASSED', b: 'PASSED', c: 'PASSED', d: 'PASSED', e: 'PASSED' },
      { a: 'PASSED', b: 'PASSED', c: 'PASSED', d: 'FAILED', e: 'PASSED' },
    ] as TestStatusMap[];
    const t = deriveTransitions(before, after);
    expect(t.failToPass).toEqual(['a', 'e']);
    expect(t.passToPass).toEqual(['b']);
    expect(t.flaky).toEqual(['c', 'd']);
  });

  it('splits changes into tests and code, rejecting docs-only, lockfile-only and test-only commits', () => {
    expect(splitChange(['README.md', 'docs/x.rst'])).toEqual({ reject: 'docs_only' });
    expect(splitChange(['package-lock.json'])).toEqual({ reject: 'lockfile_only' });
    expect(splitChange(['tests/test_a.py'])).toEqual({ reject: 'no_code_change' });
    expect(splitChange(['src/a.py', 'README.md'])).toEqual({ reject: 'no_test_change' });
    expect(splitChange(['src/a.py', 'tests/test_a.py', 'CHANGELOG.md'])).toEqual({
      tests: ['tests/test_a.py'],
      code: ['src/a.py'],
    });
    expect(splitChange(['lib/x.js', 'lib/x.test.js'])).toEqual({
      tests: ['lib/x.test.js'],
      code: ['lib/x.js'],
    });
  });
});
