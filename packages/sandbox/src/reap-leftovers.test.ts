import { describe, expect, it } from 'vitest';
import { reapLeftoversBestEffort } from './reap-leftovers.js';

describe('reapLeftoversBestEffort', () => {
  it('passes the run id, turns a failure into a warning, and still throws on abort', async () => {
    const seen: unknown[] = [];
    await reapLeftoversBestEffort({
      reap: async (o) => seen.push(o.runId),
      dockerDefault: true,
      runId: 'r1',
    });
    expect(seen).toEqual(['r1']);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const failing = async () => {
      throw new Error('engine down');
    };
    await reapLeftoversBestEffort({ reap: failing, dockerDefault: false, logger });
    expect(warnings).toEqual(['could not remove sandboxes left by killed runs']);
    await expect(
      reapLeftoversBestEffort({ reap: failing, dockerDefault: false, signal: AbortSignal.abort() }),
    ).rejects.toThrow(/abort/i);
    // No reaper and not the default Docker sandboxes: nothing to do.
    await expect(reapLeftoversBestEffort({ dockerDefault: false })).resolves.toBeUndefined();
  });
});
