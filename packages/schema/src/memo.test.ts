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

describe('toRepoForgeError', () => {
  it('keeps RepoForge errors, names aborts, wraps the rest with the cause, and carries the kind', async () => {
    const { RecordError, RepoForgeError, toRepoForgeError } = await import('./index.js');
    const input = new RecordError([{ source: 'f.jsonl', line: 2, index: 1, path: 'repo', message: 'bad' }]);
    expect(toRepoForgeError(input)).toBe(input);
    expect(input.kind).toBe('input');
    const abort = new DOMException('stop', 'AbortError');
    expect(toRepoForgeError(abort)).toMatchObject({ code: 'ABORTED', cause: abort });
    const boom = new TypeError('x is undefined');
    expect(toRepoForgeError(boom)).toMatchObject({
      code: 'INTERNAL',
      kind: 'failure',
      message: 'x is undefined',
      cause: boom,
    });
    expect(toRepoForgeError('text')).toBeInstanceOf(RepoForgeError);
  });
});
