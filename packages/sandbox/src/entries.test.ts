import { loadsDockerode } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

describe('entries', () => {
  it('the main entry never loads dockerode; the docker entry, and asking for a Docker sandbox, do', async () => {
    const here = import.meta.dirname;
    expect(await loadsDockerode('@repoforge/sandbox', here)).toBe(false);
    expect(await loadsDockerode('@repoforge/sandbox/docker', here)).toBe(true);
    // resolveBackend('docker') only constructs the backend: no engine needed to see it load.
    const ask = `const m = await import('@repoforge/sandbox'); await m.resolveBackend('docker');`;
    expect(await loadsDockerode('@repoforge/sandbox', here, ask)).toBe(true);
    // The lazy image builder loads Docker on its first call, not before.
    const lazy = `const m = await import('@repoforge/sandbox'); const b = m.lazyImageBuilder();`;
    expect(await loadsDockerode('@repoforge/sandbox', here, lazy)).toBe(false);
    expect(
      await loadsDockerode('@repoforge/sandbox', here, `${lazy} await b.remove('repoforge/none:x');`),
    ).toBe(true);
  }, 60_000);
});
