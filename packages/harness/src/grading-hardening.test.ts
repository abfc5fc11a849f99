import { describe, expect, it } from 'vitest';
import { isTimedOutLog } from './grading.js';
import { canonicalTestName, gradeLog, MARKERS } from './index.js';

const START = `+ : '${MARKERS.START_TEST_OUTPUT}'`;
const END = `+ : '${MARKERS.END_TEST_OUTPUT}'`;

describe('unittest names across Python versions', () => {
  // Real lines: django 4.1 on Python 3.11 prints the method again after the class.
  const log311 = [
    START,
    'test_ignore_files (migrations.test_loader.LoaderTests.test_ignore_files) ... ok',
    'test_first (migrations.test_loader.LoaderTests.test_first) ... ok',
    END,
  ].join('\n');
  const instance = {
    instance_id: 'django__django-11141',
    repo: 'django/django',
    version: '3.1',
    FAIL_TO_PASS: ['test_ignore_files (migrations.test_loader.LoaderTests)'],
    PASS_TO_PASS: ['test_first (migrations.test_loader.LoaderTests)'],
  };

  it('canonicalTestName folds the repeated method, and only that', () => {
    expect(canonicalTestName('test_x (m.C.test_x)')).toBe('test_x (m.C)');
    expect(canonicalTestName('test_x (m.C)')).toBe('test_x (m.C)');
    expect(canonicalTestName('test_x (m.C.test_y)')).toBe('test_x (m.C.test_y)');
    expect(canonicalTestName('Docstring text (m.C.x)')).toBe('Docstring text (m.C.x)');
  });

  it("a 3.11 log matches the dataset's pre-3.11 names", () => {
    const { report } = gradeLog({ instance, modelPatch: 'p', log: log311, parser: 'parse_log_django' });
    expect(report.resolved).toBe(true);
  });

  it('and the reverse: a dataset written on 3.11 (django 5.0) matches a pre-3.11 log', () => {
    const log = [START, 'test_a (m.C) ... ok', 'test_b (m.C) ... ok', END].join('\n');
    const { report } = gradeLog({
      instance: { ...instance, FAIL_TO_PASS: ['test_a (m.C.test_a)'], PASS_TO_PASS: ['test_b (m.C.test_b)'] },
      modelPatch: 'p',
      log,
      parser: 'parse_log_django',
    });
    expect(report.resolved).toBe(true);
  });

  it('django < 4.0 lists name a docstring test by name; the 3.11 log shows the docstring (real lines)', () => {
    // django__django-11141 (3.1) on Python 3.11: the dataset says `test_apply (...RecorderTests)`.
    const log = [
      START,
      'test_apply (migrations.test_loader.RecorderTests.test_apply)',
      'Tests marking migrations as applied/unapplied. ... ok',
      'test_name_match (migrations.test_loader.LoaderTests.test_name_match)',
      'Tests prefix name matching ... ok',
      'test_bad (m.C.test_bad)',
      'A failing one. ... FAIL',
      END,
    ].join('\n');
    const passed = gradeLog({
      instance: {
        ...instance,
        FAIL_TO_PASS: ['Tests prefix name matching'],
        PASS_TO_PASS: ['test_apply (migrations.test_loader.RecorderTests)'],
      },
      modelPatch: 'p',
      log,
      parser: 'parse_log_django',
    });
    expect(passed.report.resolved).toBe(true);
    expect(passed.statusMap['test_bad (m.C)']).toBe('FAILED');
  });

  it('a test missing from the log still fails under either spelling', () => {
    const { report } = gradeLog({
      instance: { ...instance, PASS_TO_PASS: ['test_gone (migrations.test_loader.LoaderTests)'] },
      modelPatch: 'p',
      log: log311,
      parser: 'parse_log_django',
    });
    expect(report.resolved).toBe(false);
  });
});

describe('strict grading of forged and timed-out logs', () => {
  const instance = {
    instance_id: 'x__y-1',
    repo: 'pytest-dev/pytest',
    FAIL_TO_PASS: ['t.py::test_fix'],
    PASS_TO_PASS: [],
  };

  it('the whole-log fallback never reads past the end marker in strict mode', () => {
    // Nothing between the markers parses (the suite crashed); a leftover process then prints a forged line.
    const log = [START, 'collection crashed', END, '+ echo done', 'PASSED t.py::test_fix'].join('\n');
    const strict = gradeLog({ instance, modelPatch: 'p', log, parser: 'parse_log_pytest' });
    expect(strict.report.resolved).toBe(false);
    const legacy = gradeLog({
      instance,
      modelPatch: 'p',
      log,
      parser: 'parse_log_pytest',
      options: { mode: 'legacy' },
    });
    expect(legacy.report.resolved).toBe(true); // SWE-bench's original rule, kept for exact old scores
  });

  it('the fallback still reads results printed before the markers', () => {
    const log = ['PASSED t.py::test_fix', START, 'noise', END].join('\n');
    expect(gradeLog({ instance, modelPatch: 'p', log, parser: 'parse_log_pytest' }).report.resolved).toBe(
      true,
    );
  });

  it('a log that ends in a timeout is an error instance, not a verdict', () => {
    const log = `${START}\nPASSED t.py::test_fix\n\nTimeout error: 1800 seconds exceeded.`;
    expect(isTimedOutLog(log)).toBe(true);
    const graded = gradeLog({ instance, modelPatch: 'p', log, parser: 'parse_log_pytest' });
    expect(graded.error).toBe('tests_timed_out');
    expect(graded.report.resolved).toBe(false);
    expect(isTimedOutLog(`${START}\nx\n${END}\nTimeout error: 5 seconds exceeded.`)).toBe(false);
  });
});

describe('tests that need the internet (the env spec network_tests)', () => {
  const log = [
    START,
    '  ✓ renders a card',
    '  1) fetches the user',
    '  1 passing',
    '  1 failing',
    '  1) fetches the user:',
    '     Error: getaddrinfo ENOTFOUND api.github.com',
    END,
  ].join('\n');
  const instance = {
    instance_id: 'anuraghazra__github-readme-stats-1',
    repo: 'anuraghazra/github-readme-stats',
    FAIL_TO_PASS: ['renders a card'],
    PASS_TO_PASS: ['fetches the user'],
  };
  const grade = (exclude?: string[], inst = instance) =>
    gradeLog({ instance: inst, modelPatch: 'p', log, parser: 'parse_log_mocha', options: { exclude } });

  it('are left out of grading and reported; the SWE-bench report keeps its shape', () => {
    expect(grade().report.resolved).toBe(false);
    const graded = grade(['fetches the user']);
    expect(graded.report.resolved).toBe(true);
    expect(graded.excluded).toEqual(['fetches the user']);
    expect(graded.report.tests_status?.PASS_TO_PASS).toEqual({ success: [], failure: [] });
  });

  it('never resolve an instance whose every FAIL_TO_PASS test was excluded', () => {
    const onlyNetwork = { ...instance, FAIL_TO_PASS: ['fetches the user'], PASS_TO_PASS: ['renders a card'] };
    const graded = grade(['fetches the user'], onlyNetwork);
    expect(graded.report.resolved).toBe(false);
    expect(graded.hardened).toMatch(/every FAIL_TO_PASS test needs the internet/);
  });
});
