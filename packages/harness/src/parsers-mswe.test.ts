import { describe, expect, it } from 'vitest';
import { expectedTestsSeen } from './grading.js';
import { gradeLog, MARKERS } from './index.js';
import { parseLogMsweJest, parseLogMsweMocha } from './parsers/mswe.js';

// Real lines: anuraghazra/github-readme-stats (ESM jest 29) and expressjs/express 4 (mocha spec), as
// RepoForge ran them for Multi-SWE-bench rows.
const JEST = [
  '(node:65) ExperimentalWarning: VM Modules is an experimental feature and might change at any time',
  'PASS tests/renderTopLanguages.test.js',
  '  Test renderTopLanguages helper functions',
  '    ✓ getLongestLang (1 ms)',
  '    ✓ radiansToDegrees',
  'FAIL tests/renderStatsCard.test.js',
  '  Test renderStatsCard',
  '    ✓ should render github rank icon (3 ms)',
  '    ✕ should show total reviews (12 ms)',
  '    ○ skipped should hide the title',
].join('\n');

const MOCHA = [
  '  req',
  '    .hostname',
  '      ✓ should return the Host when present',
  '      when "trust proxy" is enabled',
  '        when multiple X-Forwarded-Host',
  '          ✓ should use the first value',
  '          1) should remove OWS around comma',
  '',
  '  1 passing (12ms)',
  '  1 failing',
  '',
  '  1) req',
  '       .hostname',
  '         when "trust proxy" is enabled',
  '           should remove OWS around comma:',
].join('\n');

describe("Multi-SWE-bench's test names", () => {
  it('jest: <file> for the file, <file>:<title> for each test', () => {
    expect(parseLogMsweJest(JEST)).toEqual({
      'tests/renderTopLanguages.test.js': 'PASSED',
      'tests/renderTopLanguages.test.js:getLongestLang': 'PASSED',
      'tests/renderTopLanguages.test.js:radiansToDegrees': 'PASSED',
      'tests/renderStatsCard.test.js': 'FAILED',
      'tests/renderStatsCard.test.js:should render github rank icon': 'PASSED',
      'tests/renderStatsCard.test.js:should show total reviews': 'FAILED',
      'tests/renderStatsCard.test.js:skipped should hide the title': 'SKIPPED',
    });
  });

  it('mocha: the full title (express 3495 style) and the bare title (express 5555 style)', () => {
    const map = parseLogMsweMocha(MOCHA);
    expect(
      map[
        'req .hostname when "trust proxy" is enabled when multiple X-Forwarded-Host should use the first value'
      ],
    ).toBe('PASSED');
    expect(map['should use the first value']).toBe('PASSED');
    expect(map['should return the Host when present']).toBe('PASSED');
    expect(map['should remove OWS around comma']).toBe('FAILED');
    // Nothing from the failure details after the summary becomes a test.
    expect(Object.keys(map).some((k) => k.endsWith(':'))).toBe(false);
  });

  it('a parser for another naming sees none of the expected tests: a warning, not a verdict', () => {
    const instance = {
      instance_id: 'anuraghazra__github-readme-stats-2844',
      repo: 'anuraghazra/github-readme-stats',
      FAIL_TO_PASS: ['tests/renderStatsCard.test.js:should show total reviews'],
      PASS_TO_PASS: ['tests/renderStatsCard.test.js:should render github rank icon'],
    };
    const log = `: '${MARKERS.START_TEST_OUTPUT}'\n${JEST}\n: '${MARKERS.END_TEST_OUTPUT}'`;
    const wrong = gradeLog({ instance, modelPatch: 'p', log, parser: 'parse_log_jest' });
    expect(expectedTestsSeen(wrong.statusMap, instance)).toMatchObject({ expected: 2, seen: 0 });
    const right = gradeLog({ instance, modelPatch: 'p', log, parser: 'parse_log_mswe_jest' });
    expect(expectedTestsSeen(right.statusMap, instance)).toMatchObject({ expected: 2, seen: 2 });
  });
});

describe('diff lines are not tests', () => {
  it('a removed line of a diff (column 0) is never a pending mocha test', () => {
    const log = [
      'diff --git a/lib/x.js b/lib/x.js',
      '-  var old = 1;',
      '  - a pending test',
      '  1 pending',
    ].join('\n');
    expect(parseLogMsweMocha(log)).toEqual({ 'a pending test': 'SKIPPED' });
  });
});
