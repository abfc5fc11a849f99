import { describe, expect, it } from 'vitest';
import { retry } from './retry.js';

describe('retry', () => {
  it('stops at the first done try and pauses as told in between, on the injected clock', async () => {
    const slept: number[] = [];
    const got = await retry(
      async (n) => (n < 2 ? { done: false, waitMs: n === 0 ? 500 : undefined } : { done: true, value: n }),
      { tries: 5, backoffMs: (n) => 100 * 2 ** n, sleep: async (ms) => void slept.push(ms) },
    );
    expect(got).toBe(2);
    expect(slept).toEqual([500, 200]);
  });

  it('gives undefined when every try asks again, without a pause after the last', async () => {
    const slept: number[] = [];
    let calls = 0;
    const got = await retry(
      async () => {
        calls++;
        return { done: false };
      },
      {
        tries: 3,
        backoffMs: () => 10,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    expect([got, calls, slept.length]).toEqual([undefined, 3, 2]);
  });

  it('aborts on the signal, also while it waits', async () => {
    const ac = new AbortController();
    const p = retry(async () => ({ done: false, waitMs: 60_000 }), { tries: 2, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
