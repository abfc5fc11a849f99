import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RepoForgeError } from './index.js';

const root = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

const all = [
  ...readdirSync(join(root, 'packages')).flatMap((p) => sources(join(root, 'packages', p, 'src'))),
  ...sources(join(root, 'apps', 'cli', 'src')),
];

describe('one table of error codes', () => {
  it('gives a code the kind of the table', () => {
    expect(new RepoForgeError('REPO_NOT_FOUND', 'x').kind).toBe('input');
    expect(new RepoForgeError('ENV_BUILD_FAILED', 'x').kind).toBe('failure');
  });

  it('is where every thrown code is, and no error picks its own kind', () => {
    const unknown: string[] = [];
    const ownKind: string[] = [];
    for (const file of all) {
      const text = readFileSync(file, 'utf8');
      // `new XxxError('CODE'` (possibly over lines) and package error classes' code unions.
      for (const m of text.matchAll(/new \w*Error\(\s*'([A-Z][A-Z_]+)'/g))
        if (!(m[1]! in ERROR_CODES)) unknown.push(`${file}: ${m[1]}`);
      if (/super\([^)]*kind:/.test(text) || /Error\([^;]*\{[^}]*\bkind: '(input|failure)'/.test(text))
        ownKind.push(file);
    }
    expect(unknown).toEqual([]);
    expect(ownKind).toEqual([]);
  });
});
