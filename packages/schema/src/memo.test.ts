import { describe, expect, it } from 'vitest';
import { memoAsync } from './index.js';

describe('memoAsync', () => {
  it('shares one call, forgets failures and refused results', async () => {
    const cache = new Map<string, Promise<string | undefined>>();
    let calls = 0;
    const ok = () => memoAsync(cache, 'a', async () => `v${++calls}`);
    expect(await Promise.all([ok(), ok()])).toEqual(['v1', 'v1']);
    expect(calls).toBe(1);
    const failing = () => memoAsync(cache, 'b', async () => Promise.reject(new Error(`no ${++calls}`)));
    await expect(failing()).rejects.toThrow('no 2');
    await expect(failing()).rejects.toThrow('no 3');
    const missing = () =>
      memoAsync(
        cache,
        'c',
        async () => (++calls > 4 ? 'found' : undefined),
        (v) => v !== undefined,
      );
    expect(await missing()).toBeUndefined();
    await Promise.resolve();
    expect(await missing()).toBe('found');
    expect(await missing()).toBe('found');
  });
});
