import { shellQuote } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import { chainIds, computeStorageReport, imageSpecHash } from './docker.js';
import { parseBytes } from './index.js';

describe('parseBytes', () => {
  it('reads Docker-style sizes', () => {
    expect(parseBytes('512m')).toBe(512 * 1024 ** 2);
    expect(parseBytes('2g')).toBe(2 * 1024 ** 3);
    expect(parseBytes('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('100')).toBe(100);
    expect(parseBytes(4096)).toBe(4096);
    expect(() => parseBytes('lots', 'limits.memory')).toThrow(/limits.memory: cannot read 'lots'/);
  });
  it('quotes shell words', () => {
    expect(shellQuote('abc')).toBe('abc');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('storage accounting (pure)', () => {
  const [a, b, c, d] = ['sha256:a', 'sha256:b', 'sha256:c', 'sha256:d'];
  it('computes chain ids per the OCI rule', () => {
    const ids = chainIds([a, b]);
    expect(ids[0]).toBe(a);
    expect(ids[1]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(chainIds([c, b])[1]).not.toBe(ids[1]); // same diff on another base is another layer
  });
  it('counts shared layers once and splits unique bytes per image', () => {
    const layers = (diffs: string[], sizes: number[]) =>
      chainIds(diffs).map((chainId, i) => ({ chainId, diffId: diffs[i]!, size: sizes[i]! }));
    const r = computeStorageReport([
      { image: 'x', id: 'X', layers: layers([a, b], [100, 10]) },
      { image: 'y', id: 'Y', layers: layers([a, c], [100, 20]) },
      { image: 'z', id: 'Z', layers: layers([a, c, d], [100, 20, 5]) },
      { image: 'z-alias', id: 'Z', layers: layers([a, c, d], [100, 20, 5]) },
    ]);
    expect(r.totalBytes).toBe(100 + 10 + 20 + 5);
    expect(r.sharedBytes).toBe(100 + 20);
    expect(r.unsharedBytes).toBe(110 + 120 + 125);
    expect(r.images.map((i) => [i.image, i.uniqueBytes, i.sharedBytes])).toEqual([
      ['x', 10, 100],
      ['y', 0, 120],
      ['z', 5, 120],
    ]);
  });
  it('hashes image specs by content, not by order', () => {
    const f = (s: string) => new TextEncoder().encode(s);
    const h1 = imageSpecHash('FROM x', [
      ['a', f('1')],
      ['b', f('2')],
    ]);
    expect(
      imageSpecHash('FROM x', [
        ['b', f('2')],
        ['a', f('1')],
      ]),
    ).toBe(h1);
    expect(
      imageSpecHash('FROM x', [
        ['a', f('1')],
        ['b', f('3')],
      ]),
    ).not.toBe(h1);
    expect(imageSpecHash('FROM x', [], { V: '1' })).not.toBe(imageSpecHash('FROM x', [], { V: '2' }));
  });
});
