import { describe, expect, it } from 'vitest';
import { parseGitDiff } from './git-diff.js';

const patch = [
  'diff --git a/pkg/x.py b/pkg/x.py',
  'index 1..2 100644',
  '--- a/pkg/x.py',
  '+++ b/pkg/x.py',
  '@@ -10,3 +10,3 @@ def foo():',
  ' a',
  '--- not a header, a removed line',
  '+++ not a header, an added line',
  ' c',
  'diff --git a/new.txt b/new.txt',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/new.txt',
  '@@ -0,0 +1 @@',
  '+hi',
  '\\ No newline at end of file',
  '',
].join('\n');

describe('parseGitDiff', () => {
  it('reads files, hunk starts, section headings and header-like content lines', () => {
    expect(parseGitDiff(patch)).toEqual([
      {
        path: 'pkg/x.py',
        hunks: [
          {
            oldStart: 10,
            newStart: 10,
            section: 'def foo():',
            lines: [' a', '--- not a header, a removed line', '+++ not a header, an added line', ' c'],
          },
        ],
      },
      { path: 'new.txt', hunks: [{ oldStart: 0, newStart: 1, section: '', lines: ['+hi'] }] },
    ]);
  });
});
