import { loadsDockerode } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

describe('entries', () => {
  it('importing @repoforge/harness, and constructing its image builders, loads no dockerode', async () => {
    const here = import.meta.dirname;
    expect(await loadsDockerode('@repoforge/harness', here)).toBe(false);
    const construct = `const m = await import('@repoforge/harness'); new m.EnvImages({ createSandbox: async () => { throw new Error('none'); } });`;
    expect(await loadsDockerode('@repoforge/harness', here, construct)).toBe(false);
  }, 60_000);
});
