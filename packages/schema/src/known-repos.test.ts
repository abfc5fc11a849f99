import { describe, expect, it } from 'vitest';
import { swebenchPython, unittestNaming, versionFromSource } from './known-repos.js';

describe('known repos: versions and test-name spelling', () => {
  it("reads SWE-bench's major.minor from a repo's version file", () => {
    expect(versionFromSource("from x import y\n\nVERSION = (3, 0, 0, 'alpha', 0)\n")).toBe('3.0');
    expect(versionFromSource('__version__ = "1.8.dev"\n')).toBe('1.8');
    expect(versionFromSource('no version here')).toBeUndefined();
  });

  it('names unittest tests as the Python SWE-bench ran the version on', () => {
    expect(swebenchPython('django/django', '3.0')).toBe('3.6');
    expect(swebenchPython('django/django', '3.0.2')).toBe('3.6'); // a full version is its major.minor
    expect(unittestNaming('django/django', '3.2')).toEqual({ longNames: false, docstring: 'first-line' });
    expect(unittestNaming('django/django', '4.1')).toEqual({ longNames: false, docstring: 'always' });
    expect(unittestNaming('django/django', '5.0')).toEqual({ longNames: true, docstring: 'always' });
  });
});
