import { readFileSync } from 'node:fs';
import { Instance, parseRecords, renderTestCmd } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { testDirectives } from './index.js';

const header = (...files: string[]) =>
  files.map((f) => `diff --git a/${f} b/${f}\n--- a/${f}\n+++ b/${f}\n@@ -1 +1 @@\n-a\n+b\n`).join('');

describe('testDirectives (SWE-bench get_test_directives)', () => {
  it('django: module labels, data files dropped (django__django-15525)', () => {
    const test_patch = header(
      'tests/backends/sqlite/test_features.py',
      'tests/fixtures_regress/fixtures/nk_with_foreign_key.json',
      'tests/fixtures_regress/models.py',
      'tests/fixtures_regress/tests.py',
    );
    expect(testDirectives({ repo: 'django/django', test_patch })).toEqual([
      'backends.sqlite.test_features',
      'fixtures_regress.models',
      'fixtures_regress.tests',
    ]);
  });
  it('django: a migration module is a label too (django__django-11141)', () => {
    const test_patch = header(
      'tests/migrations/test_loader.py',
      'tests/migrations/test_migrations_namespace_package/0001_initial.py',
    );
    expect(testDirectives({ repo: 'django/django', test_patch })).toEqual([
      'migrations.test_loader',
      'migrations.test_migrations_namespace_package.0001_initial',
    ]);
  });
  it('sympy and pytest repos keep paths; .txt dropped, .rst kept (sphinx-doc__sphinx-11510)', () => {
    expect(
      testDirectives({ repo: 'sympy/sympy', test_patch: header('sympy/polys/tests/test_polytools.py') }),
    ).toEqual(['sympy/polys/tests/test_polytools.py']);
    const test_patch = header(
      'tests/roots/a/baz.rst',
      'tests/roots/a/text.txt',
      'tests/test_directive_other.py',
    );
    expect(testDirectives({ repo: 'sphinx-doc/sphinx', test_patch })).toEqual([
      'tests/roots/a/baz.rst',
      'tests/test_directive_other.py',
    ]);
  });
  it('renders {tests} shell-quoted; a command without it runs the whole suite', () => {
    expect(renderTestCmd('pytest -rA {tests}', ['a b.py', "x'y.py", 'ok.py'])).toBe(
      `pytest -rA 'a b.py' 'x'\\''y.py' ok.py`,
    );
    expect(renderTestCmd('pytest -rA', ['a.py'])).toBe('pytest -rA');
    expect(renderTestCmd('mocha {tests:test/ test/acceptance/}', [])).toBe('mocha test/ test/acceptance/');
    expect(renderTestCmd('mocha {tests:test/ test/acceptance/}', ['test/app.js'])).toBe('mocha test/app.js');
    expect(renderTestCmd('npx mocha {tests}', ['$(rm -rf /).js'])).toBe("npx mocha '$(rm -rf /).js'");
  });
});

const fixtures = sharedFixturesDir();
describe.skipIf(!fixtures && skipLoudly('shared fixtures absent: directives vs 500 eval scripts SKIPPED'))(
  'directives against every official eval_script',
  () => {
    it('match the test command of all 500 SWE-bench Verified rows', () => {
      const { records } = parseRecords(
        readFileSync(sharedFixture('instances', 'swebench_verified_test.jsonl'), 'utf8'),
        Instance,
      );
      expect(records).toHaveLength(500);
      const mismatches = records.flatMap((r) => {
        const cmd = r.eval_script!.split(": '>>>>> Start Test Output'\n")[1]!.split('\n')[0]!;
        const expected = testDirectives(r).join(' ');
        return cmd.endsWith(expected) ? [] : [`${r.instance_id}: ${cmd} / ${expected}`];
      });
      expect(mismatches).toEqual([]);
    });
  },
);
