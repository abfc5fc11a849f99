import { Instance } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import { RolloutEngine } from './index.js';

const inst = (id: string, repo = 'o/r') =>
  Instance.parse({
    repo,
    instance_id: id,
    base_commit: 'b',
    patch: '',
    test_patch: '',
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
  });

describe('rollout engine faults', () => {
  it('a repo that cannot be cloned and an environment that cannot be built fail their samples, not the run', async () => {
    const engine = new RolloutEngine({
      policy: undefined as never,
      repoSource: {
        resolve: async (repo) => {
          if (repo === 'gone/repo') throw new Error('could not clone gone/repo');
          return { gitdir: '', cache: {} };
        },
      },
      envFor: async () => {
        throw new Error('environment build failed');
      },
      pool: undefined as never,
      samples: 2,
      concurrency: 2,
    });
    const groups = [];
    for await (const g of engine.run([inst('a-1', 'gone/repo'), inst('b-1')])) groups.push(g);
    expect(groups.map((g) => g.instance_id).sort()).toEqual(['a-1', 'b-1']);
    const errors = groups.flatMap((g) => g.samples.map((s) => s.error));
    expect(errors.filter((e) => /could not clone/.test(String(e)))).toHaveLength(2);
    expect(errors.filter((e) => /environment build failed/.test(String(e)))).toHaveLength(2);
    expect(engine.stats.failed).toBe(4);
  });

  // Each sample would run a minute: the run ending at all (within the test timeout) shows the abort took.
  it('an abort ends the run promptly and starts nothing more', async () => {
    const ac = new AbortController();
    let started = 0;
    const engine = new RolloutEngine({
      policy: undefined as never,
      envFor: undefined as never,
      repoSource: undefined as never,
      pool: undefined as never,
      samples: 4,
      concurrency: 2,
      runSample: (i, s, _v, signal) =>
        new Promise((resolve, reject) => {
          started++;
          const t = setTimeout(
            () =>
              resolve({
                instance_id: i.instance_id,
                sample_index: s,
                messages: [],
                model_patch: '',
                reward: 0,
                resolved: false,
                stop_reason: 'finish',
                policy_version: 0,
                metadata: {},
              }),
            60_000,
          );
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    });
    setTimeout(() => ac.abort(new Error('stop')), 50);
    const consume = async () => {
      for await (const _ of engine.run([inst('a-1'), inst('b-1'), inst('c-1')], ac.signal));
    };
    await expect(consume()).rejects.toThrow('stop');
    expect(started).toBe(2);
  });
});
