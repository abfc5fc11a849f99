import { describe, expect, it } from 'vitest';
import { gradeLog, LOG_PARSERS, MARKERS, parseJUnitXml, resolveLogParserName } from './index.js';
import { pytestJUnitName } from './parsers/junit.js';
import { datasetParserForPlannedRun } from './parsers/registry.js';

const p = (name: string, log: string, instanceId?: string) => LOG_PARSERS[name]!(log, { instanceId });

describe('log parsers', () => {
  it('pytest: status-first, test-first, FAILED with message, skip summaries ignored', () => {
    const log = [
      'tests/a.py::test_x PASSED [ 50%]',
      'PASSED tests/a.py::test_y',
      'FAILED tests/a.py::test_z - AssertionError: boom',
      'SKIPPED [1] tests/a.py:10: no network',
      'XFAIL tests/a.py::test_w',
      'ERROR tests/b.py::test_e',
    ].join('\n');
    expect(p('parse_log_pytest', log)).toEqual({
      'tests/a.py::test_x': 'PASSED',
      'tests/a.py::test_y': 'PASSED',
      'tests/a.py::test_z': 'FAILED',
      'tests/a.py::test_w': 'XFAIL',
      'tests/b.py::test_e': 'ERROR',
    });
  });

  it('pytest options shortens absolute-path parameters; v2 strips colour codes', () => {
    expect(p('parse_log_pytest_options', 'PASSED t.py::test[/tmp/abc/file.txt]')).toEqual({
      't.py::test[/file.txt]': 'PASSED',
    });
    expect(p('parse_log_pytest_v2', '\x1b[32mPASSED\x1b[0m t.py::ok')).toEqual({ 't.py::ok': 'PASSED' });
  });

  it('django: ok/FAIL/ERROR/skipped and the split "ok" line', () => {
    const log = [
      'test_a (m.T) ... ok',
      'test_b (m.T) ... FAIL',
      'test_c (m.T) ... skipped "why"',
      'test_d (m.T) ... ERROR',
      'test_e (m.T) ... some noise',
      'ok',
    ].join('\n');
    expect(p('parse_log_django', log)).toEqual({
      'test_a (m.T)': 'PASSED',
      'test_b (m.T)': 'FAILED',
      'test_c (m.T)': 'SKIPPED',
      'test_d (m.T)': 'ERROR',
      'test_e (m.T)': 'PASSED',
    });
  });

  it('sympy, jest, vitest, tap, karma, go, cargo, mocha', () => {
    expect(
      p('parse_log_sympy', 'test_one ok\ntest_two F\n____ sympy/x/tests/test_a.py:test_three ____'),
    ).toEqual({
      test_one: 'PASSED',
      test_two: 'FAILED',
      'sympy/x/tests/test_a.py:test_three': 'FAILED',
    });
    expect(p('parse_log_jest', '  ✓ adds (3 ms)\n  ✕ subtracts (1 ms)\n  ○ skipped one')).toEqual({
      adds: 'PASSED',
      subtracts: 'FAILED',
      'skipped one': 'SKIPPED',
    });
    expect(
      p(
        'parse_log_vitest',
        ' ✓ src/a.test.ts > sum 2ms\n × src/a.test.ts > diff\n ↓ src/a.test.ts > later [skipped]',
      ),
    ).toEqual({
      'src/a.test.ts > sum': 'PASSED',
      'src/a.test.ts > diff': 'FAILED',
      'src/a.test.ts > later': 'SKIPPED',
    });
    expect(p('parse_log_tap', 'ok 1 works\nnot ok 2 breaks')).toEqual({ works: 'PASSED', breaks: 'FAILED' });
    expect(
      p(
        'parse_log_node_tap',
        'ok 1 - a.js # time=12ms\n    ok 2 - sub # SKIP no db\nnot ok 3 - b.js # time=3ms',
      ),
    ).toEqual({
      'a.js': 'PASSED',
      sub: 'SKIPPED',
      'b.js': 'FAILED',
    });
    const karma = [
      'noise',
      'Starting browser ChromeHeadless',
      '  suite',
      '    ✔ passes',
      '    ✖ fails',
      'SUMMARY:',
      '✖ ignored',
    ].join('\n');
    expect(p('parse_log_karma', karma)).toEqual({ 'suite > passes': 'PASSED', 'suite > fails': 'FAILED' });
    expect(
      p(
        'parse_log_gotest',
        '--- PASS: TestA (0.00s)\n    --- FAIL: TestB/sub (0.01s)\n--- SKIP: TestC (0.00s)',
      ),
    ).toEqual({
      TestA: 'PASSED',
      'TestB/sub': 'FAILED',
      TestC: 'SKIPPED',
    });
    expect(p('parse_log_cargo', 'test a::b ... ok\ntest a::c ... FAILED\ntest a::d ... ignored')).toEqual({
      'a::b': 'PASSED',
      'a::c': 'FAILED',
      'a::d': 'SKIPPED',
    });
    const mocha = [
      '',
      '  math',
      '    add',
      '      ✔ adds numbers',
      '      1) carries',
      '    - pending one',
      '    FormData',
      '      spec compliant',
      '(node:71) ExperimentalWarning: buffer.File is an experimental feature',
      'pipeline error: CanceledError: canceled',
      '        ✔ posts it',
      '-  a diff line at column 0',
      '',
      '  2 passing (5ms)',
      '  ✔ after summary',
    ].join('\n');
    expect(p('parse_log_mocha', mocha)).toEqual({
      'math add adds numbers': 'PASSED',
      'math add carries': 'FAILED',
      'math pending one': 'SKIPPED',
      // Output at column 0 (Node's warnings, the code's own logging) leaves the open suites open.
      'math FormData spec compliant posts it': 'PASSED',
    });
    expect(() => p('parse_log_immutable_js', 'x', 'immutable-js__immutable-js-1')).toThrow(
      /no parser for instance immutable-js__immutable-js-1/,
    );
  });

  it('JUnit XML, with pytest naming', () => {
    const xml = `<testsuite><testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py"/>
      <testcase classname="tests.test_a.TestK" name="test_bad[x&amp;y]" file="tests/test_a.py"><failure message="no"/></testcase>
      <testcase classname="tests.test_a" name="test_skip" file="tests/test_a.py"><skipped message="later"/></testcase>
      <testcase classname="tests.test_a" name="test_err" file="tests/test_a.py"><error/></testcase></testsuite>`;
    expect(parseJUnitXml(xml, pytestJUnitName)).toEqual({
      'tests/test_a.py::test_ok': 'PASSED',
      'tests/test_a.py::TestK::test_bad[x&y]': 'FAILED',
      'tests/test_a.py::test_skip': 'SKIPPED',
      'tests/test_a.py::test_err': 'ERROR',
    });
  });

  it('JUnit XML is parsed as XML: output in CDATA cannot forge or hide test cases', () => {
    // A failing test prints markup into its output; a regex reader took the CDATA's </testcase> as the end.
    const xml = `<?xml version="1.0"?><testsuites><testsuite name="outer"><testsuite name="inner">
      <testcase classname="tests.test_b" name="test_forge" file="tests/test_b.py"><failure><![CDATA[
        </testcase><testcase classname="tests.test_b" name="test_fake" file="tests/test_b.py"/>
      ]]></failure></testcase>
      <testcase classname="tests.test_b" name="test_xf" file="tests/test_b.py"><skipped type="pytest.xfail" message="known"/></testcase>
    </testsuite></testsuite></testsuites>`;
    expect(parseJUnitXml(xml, pytestJUnitName)).toEqual({
      'tests/test_b.py::test_forge': 'FAILED',
      'tests/test_b.py::test_xf': 'XFAIL',
    });
    expect(parseJUnitXml('<testsuite><testcase name="a"', pytestJUnitName)).toEqual({});
  });

  it('chooses the parser: override, instance field, repo map, env spec', () => {
    expect(resolveLogParserName({ repo: 'django/django' })).toBe('parse_log_django');
    expect(resolveLogParserName({ repo: 'x/y', log_parser: 'parse_log_tap' })).toBe('parse_log_tap');
    expect(resolveLogParserName({ repo: 'x/y' }, { envSpecParser: 'parse_log_mocha' })).toBe(
      'parse_log_mocha',
    );
    expect(resolveLogParserName({ repo: 'django/django' }, { override: 'parse_log_pytest' })).toBe(
      'parse_log_pytest',
    );
    expect(resolveLogParserName({ repo: 'x/y' })).toBeUndefined();
  });

  it("grades a planned run with the instance's own parser only when that parser reads the planned output", () => {
    // SWE-bench Multilingual's immutable-js rows name tests as jest's JSON does; a planned jest run prints those lines.
    const immutable = { repo: 'immutable-js/immutable-js', log_parser: 'parse_log_immutable_js' };
    expect(datasetParserForPlannedRun(immutable, 'parse_log_jest')).toBe('parse_log_immutable_js');
    expect(
      datasetParserForPlannedRun({ repo: 'x/y', log_parser: 'parse_log_jest_json' }, 'parse_log_jest'),
    ).toBe('parse_log_jest_json');
    // Another runner's parser never grades a planned run (axios's tap names come from mocha -R tap).
    expect(datasetParserForPlannedRun({ repo: 'axios/axios' }, 'parse_log_mocha')).toBeUndefined();
    expect(datasetParserForPlannedRun(immutable, 'parse_log_vitest')).toBeUndefined();
    expect(datasetParserForPlannedRun({ repo: 'x/y' }, 'parse_log_jest')).toBeUndefined();
  });
});

describe('grading', () => {
  const instance = { instance_id: 'o__r-1', repo: 'o/r', FAIL_TO_PASS: ['t::f2p'], PASS_TO_PASS: ['t::p2p'] };
  const wrap = (body: string, tail = '') =>
    `+ : '${MARKERS.START_TEST_OUTPUT}'\n${body}\n+ : '${MARKERS.END_TEST_OUTPUT}'\n${tail}`;
  const grade = (log: string, options = {}, patch: string | null = 'diff') =>
    gradeLog({ instance, modelPatch: patch, log, parser: 'parse_log_pytest', options });

  it('FULL resolves; PARTIAL and NO do not', () => {
    expect(grade(wrap('PASSED t::f2p\nPASSED t::p2p')).report.resolved).toBe(true);
    const r = grade(wrap('FAILED t::f2p\nPASSED t::p2p'));
    expect(r.report.resolved).toBe(false);
    expect(r.report.tests_status!.FAIL_TO_PASS).toEqual({ success: [], failure: ['t::f2p'] });
  });

  it('error markers and missing markers mean not applied', () => {
    expect(grade(`${MARKERS.APPLY_PATCH_FAIL}\n${wrap('PASSED t::f2p')}`).report).toMatchObject({
      patch_successfully_applied: false,
      resolved: false,
    });
    expect(grade(`${MARKERS.TESTS_TIMEOUT}\n${wrap('PASSED t::f2p\nPASSED t::p2p')}`).report.resolved).toBe(
      false,
    );
    expect(grade('PASSED t::f2p').report.patch_successfully_applied).toBe(false);
    expect(grade('', {}, null).report).toEqual({
      patch_is_None: true,
      patch_exists: false,
      patch_successfully_applied: false,
      resolved: false,
    });
  });

  it('falls back to the whole log when nothing parses between the markers', () => {
    expect(grade(`PASSED t::f2p\nPASSED t::p2p\n${wrap('nothing here')}`).report.resolved).toBe(true);
  });

  it('strict: a skipped F2P fails; legacy drops it', () => {
    const log = wrap('SKIPPED t::f2p\nPASSED t::p2p');
    expect(grade(log).report.tests_status!.FAIL_TO_PASS.failure).toEqual(['t::f2p']);
    const legacy = grade(log, { mode: 'legacy' });
    expect(legacy.report.tests_status!.FAIL_TO_PASS).toEqual({ success: [], failure: [] });
    expect(legacy.report.resolved).toBe(true); // the hole the hardening closes
  });

  it('strict: forged PASSED lines with a failing exit code do not resolve', () => {
    const forged = wrap('PASSED t::f2p\nPASSED t::p2p', `${MARKERS.TEST_EXIT_CODE}: 2`);
    const r = grade(forged);
    expect(r.report.resolved).toBe(false);
    expect(r.hardened).toMatch(/exited 2/);
    expect(grade(forged, { mode: 'legacy' }).report.resolved).toBe(true);
    expect(grade(wrap('PASSED t::f2p\nPASSED t::p2p'), { exitCode: 1 }).report.resolved).toBe(false);
    expect(
      grade(wrap('PASSED t::f2p\nPASSED t::p2p\nFAILED t::other'), { exitCode: 1 }).report.resolved,
    ).toBe(true);
  });

  it('structured statuses (JUnit) override text lines', () => {
    const r = grade(wrap('PASSED t::f2p\nPASSED t::p2p'), { structured: { 't::f2p': 'FAILED' } });
    expect(r.report.resolved).toBe(false);
  });

  it('fail-only repos count anything not FAILED as success', () => {
    const r = gradeLog({
      instance,
      modelPatch: 'd',
      log: wrap('FAILED t::other'),
      parser: 'parse_log_pytest',
      options: { failOnly: true },
    });
    expect(r.report.resolved).toBe(true);
  });
});
