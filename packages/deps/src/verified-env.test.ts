import type { Instance } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import { verifyAsEvalRuns } from './verified-env.js';

const TEST_PATCH = `diff --git a/test/a.test.js b/test/a.test.js
--- a/test/a.test.js
+++ b/test/a.test.js
@@ -1 +1,2 @@
 it('a', () => {});
+it('b', () => {});
`;
const instance = (extra: Partial<Instance> & { origin?: string } = {}) =>
  ({ repo: 'acme/lib', instance_id: 'acme__lib-1', test_patch: TEST_PATCH, ...extra }) as Instance;

/** Records which runs were asked for; `tests` gives each run's count of tests seen. */
function runs(tests: (wholeSuite: boolean) => number) {
  const asked: boolean[] = [];
  const run = async (wholeSuite: boolean) => {
    asked.push(wholeSuite);
    return { tests: tests(wholeSuite) };
  };
  return { asked, run };
}

describe('verifyAsEvalRuns', () => {
  it('verifies on the instance’s test files when they run, without the whole suite', async () => {
    const { asked, run } = runs(() => 3);
    expect(await verifyAsEvalRuns(instance(), run)).toEqual({ tests: 3 });
    expect(asked).toEqual([false]);
  });

  it('lets the whole suite decide when none of the instance’s tests ran', async () => {
    const { asked, run } = runs((whole) => (whole ? 40 : 0));
    expect(await verifyAsEvalRuns(instance(), run)).toEqual({ tests: 40 });
    expect(asked).toEqual([false, true]);
  });

  it('runs the whole suite once where eval does: Multi-SWE-bench rows, --whole-suite, no test files', async () => {
    for (const [inst, wholeSuite] of [
      [instance({ origin: 'multi-swe-bench' }), undefined],
      [instance(), true],
      [instance({ test_patch: '' }), undefined],
    ] as const) {
      const { asked, run } = runs(() => 0);
      expect(await verifyAsEvalRuns(inst, run, { wholeSuite })).toEqual({ tests: 0 });
      expect(asked).toEqual([true]);
    }
  });
});
