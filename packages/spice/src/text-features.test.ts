import { describe, expect, it } from 'vitest';
import { groupedFolds } from './model.js';
import { relationFeatures } from './text-features.js';

const diff = (path: string, lines: string[], section = '') =>
  `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1,1 +1,${lines.length} @@ ${section}\n${lines.join('\n')}\n`;

describe('relationFeatures', () => {
  const fix = diff(
    'pkg/core.py',
    ['-    raise ValueError("bad")', '+    raise ValueError("Expected a positive width")'],
    'def resize(w):',
  );
  const tests = diff('tests/test_core.py', [
    '+    with pytest.raises(ValueError, match="Expected a positive width"):',
    '+        resize(-1)',
  ]);

  it('sees tests asserting on a message the fix introduces and the statement never gives', () => {
    const withStatement = (problem_statement: string) =>
      relationFeatures({
        patch: fix,
        test_patch: tests,
        problem_statement,
        FAIL_TO_PASS: ['t::test_resize'],
      });
    const silent = withStatement('resize(-1) crashes oddly');
    expect(silent.x_test_literals_from_fix).toBeGreaterThan(0);
    expect(silent.x_message_asserts).toBeGreaterThan(0);
    expect(silent.x_edited_named).toBe(1);
    const told = withStatement('Should say "Expected a positive width"');
    expect(told.x_test_literals_from_fix).toBe(0);
    expect(told.x_edited_named).toBe(0);
  });
});

describe('groupedFolds', () => {
  const rows = ['a', 'a', 'a', 'b', 'b', 'c', 'd', 'd'].map((repo, i) => ({
    id: `r${i}`,
    repo,
    createdAt: `2020-0${8 - i}-01`,
  }));

  it('by repo: no repo is split across folds', () => {
    const f = groupedFolds(rows, 3, 'repo');
    for (const repo of 'abcd')
      expect(new Set(rows.flatMap((r, i) => (r.repo === repo ? [f[i]] : []))).size).toBe(1);
    expect(new Set(f).size).toBe(3);
  });

  it('by time: contiguous blocks in filing order', () => {
    const f = groupedFolds(rows, 2, 'time');
    // createdAt runs backwards with the index: the four newest rows are the first four.
    expect(f).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
  });
});
