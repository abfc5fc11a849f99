import { describe, expect, it } from 'vitest';
import { statementQuality } from './index.js';

const patch = [
  'diff --git a/lib/request.js b/lib/request.js',
  '--- a/lib/request.js',
  '+++ b/lib/request.js',
  '@@ -1,3 +1,3 @@',
  "-  var host = this.get('X-Forwarded-Host');",
  "+  var host = parseForwardedHost(this.get('X-Forwarded-Host'));",
].join('\n');

describe('statementQuality', () => {
  it('flags empty, generic and solution-leaking statements; passes an issue-style one', () => {
    expect(statementQuality('fix', patch)).toBe('empty');
    expect(statementQuality('Merge commit from fork', patch)).toBe('generic');
    expect(statementQuality('Merge pull request #3495 from x/y', patch)).toBe('generic');
    expect(
      statementQuality(
        "req.hostname: use\n\n* var host = parseForwardedHost(this.get('X-Forwarded-Host'));",
        patch,
      ),
    ).toBe('leaks_solution');
    expect(
      statementQuality('Wrap this.get in parseForwardedHost instead of reading the header raw', patch),
    ).toBe('leaks_solution');
    expect(
      statementQuality(
        'req.hostname returns "a, b" when several X-Forwarded-Host headers are set\n\nIt should return the first host.',
        patch,
      ),
    ).toBe('ok');
  });
});
