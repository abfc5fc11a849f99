import { describe, expect, it } from 'vitest';
import {
  agreement,
  computeFeatures,
  consensus,
  defaultModel,
  fitOrdinal,
  isControversial,
  keepInstance,
  labelOffline,
  ordinalProbabilities,
  parseCsv,
  SpiceLabels,
  sweBenchFilterOut,
} from './index.js';

describe('consensus and filters', () => {
  it('takes the mode when a value repeats, else the median; max severity on request', () => {
    expect(consensus([1, 1, 3])).toBe(1);
    expect(consensus([0, 2, 3])).toBe(2);
    expect(consensus([0, 3])).toBe(0);
    expect(consensus([0, 1, 1, 2, 2])).toBe(1); // tied modes fall back to the median
    expect(consensus([0, 2, 1], 'max')).toBe(2);
    expect(isControversial([1, 2, 1])).toBe(true);
    expect(isControversial([0, 1, 1])).toBe(false);
    expect(keepInstance({ issue_clarity: 1, test_validity: 0, difficulty: 1 })).toBe(true);
    expect(keepInstance({ issue_clarity: 1, test_validity: 0, difficulty: 2 })).toBe(false);
    expect(sweBenchFilterOut({ issue_clarity: 1, test_validity: 2 })).toBe(true);
    expect(sweBenchFilterOut({ issue_clarity: 1, test_validity: 1, other_major_issues: 1 })).toBe(true);
  });

  it('reads quoted CSV with newlines and commas', () => {
    expect(parseCsv('a,b\n"x, ""y""","line1\nline2"\n')).toEqual([{ a: 'x, "y"', b: 'line1\nline2' }]);
  });
});

describe('agreement metrics', () => {
  it('exact, within-one and quadratic weighted kappa', () => {
    expect(agreement([0, 1, 2, 3], [0, 1, 2, 3])).toMatchObject({ exact: 1, withinOne: 1, qwk: 1 });
    const a = agreement([0, 0, 1, 1, 2, 2, 3, 3], [0, 1, 1, 2, 2, 3, 3, 0]);
    expect(a.exact).toBe(0.5);
    expect(a.withinOne).toBe(0.875);
    expect(a.qwk).toBeLessThan(1);
    expect(a.confusion[3]![0]).toBe(1);
  });
});

describe('ordinal model', () => {
  it('recovers an ordinal relation from one informative feature', () => {
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 400; i++) {
      const v = (i % 100) / 25 - 2; // -2 .. 2
      xs.push([v, ((i * 7919) % 13) / 13 - 0.5]);
      ys.push(v < -1 ? 0 : v < 0 ? 1 : v < 1 ? 2 : 3);
    }
    const m = fitOrdinal(xs, ys, 4, { l2: 0.1, iterations: 800 });
    expect(m.weights[0]!).toBeGreaterThan(Math.abs(m.weights[1]!) * 5);
    const pred = xs.map((x) => {
      const p = ordinalProbabilities(m, x);
      return p.indexOf(Math.max(...p));
    });
    expect(agreement(ys, pred).exact).toBeGreaterThan(0.9);
    expect(m.thresholds).toEqual([...m.thresholds].sort((a, b) => a - b));
  });
});

describe('offline labels', () => {
  const instance = {
    instance_id: 'o__r-1',
    repo: 'o/r',
    patch:
      'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,4 @@ def f():\n-    return 1\n+    return 2\n+def g():\n+    pass\n',
    test_patch:
      'diff --git a/t.py b/t.py\n--- a/t.py\n+++ b/t.py\n@@ -1 +1,2 @@\n+def test_f(): assert f() == 2\n',
    problem_statement: 'f() returns 1\n\n```python\n>>> f()\n1\n```\nExpected 2.',
    hints_text: '',
    FAIL_TO_PASS: ['t.py::test_f'],
    PASS_TO_PASS: [],
  };
  it('computes features from the patch (tree-sitter counts new definitions) and the statement', async () => {
    const f = await computeFeatures(instance);
    expect(f.p_new_defs).toBeCloseTo(Math.log1p(1));
    expect(f.p_files).toBeCloseTo(Math.log1p(1));
    expect(f.s_reproducer).toBe(1);
    expect(f.s_expected_actual).toBe(1);
  });
  it('labels with the shipped model: valid rows, a rationale per label, no cost', async () => {
    expect(defaultModel.trainedOn).toBeGreaterThan(400);
    const row = SpiceLabels.parse(await labelOffline(instance));
    expect(row.cost_usd).toBe(0);
    expect(row.rationales.difficulty![0]).toMatch(/P\(0\/1\/2\/3\)/);
    // RepoForge's filter: kept only when clarity, test validity and difficulty are all at most 1.
    expect(row.keep).toBe(row.issue_clarity <= 1 && row.test_validity <= 1 && row.difficulty <= 1);
    expect(keepInstance({ issue_clarity: 1, test_validity: 1, difficulty: 1 })).toBe(true);
    expect(keepInstance({ issue_clarity: 0, test_validity: 2, difficulty: 0 })).toBe(false);
    expect(keepInstance({ issue_clarity: 0, test_validity: 0, difficulty: 2 })).toBe(false);
  });
});
