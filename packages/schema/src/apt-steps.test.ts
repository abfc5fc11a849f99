import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { APT_CLEANUP, DROP_UNUSED_PERL } from './apt-steps.js';

// dpkg status stanzas as bookworm writes them for git and mailcap, and one whose perl must stay.
const STATUS = `Package: git
Status: install ok installed
Depends: libc6 (>= 2.34), libcurl3-gnutls (>= 7.56.1), perl, liberror-perl, git-man (>> 1:2.39.5), git-man (<< 1:2.39.5-.)

Package: mailcap
Depends: perl, media-types

Package: dh-python
Depends: perl:any, python3:any
`;

describe('apt steps', () => {
  it('are valid shell', () => {
    for (const step of [APT_CLEANUP, DROP_UNUSED_PERL]) execFileSync('sh', ['-n', '-c', step]);
  });

  it("takes perl out of git's and mailcap's Depends only", () => {
    const script = /sed -i -E '([^']*)' \/var\/lib\/dpkg\/status/.exec(DROP_UNUSED_PERL)?.[1];
    expect(script).toBeDefined();
    const out = execFileSync('sed', ['-E', script!], { input: STATUS, encoding: 'utf8' });
    expect(out.match(/^Depends: .*$/gm)).toEqual([
      'Depends: libc6 (>= 2.34), libcurl3-gnutls (>= 7.56.1), git-man (>> 1:2.39.5), git-man (<< 1:2.39.5-.)',
      'Depends: media-types',
      'Depends: perl:any, python3:any',
    ]);
  });
});
