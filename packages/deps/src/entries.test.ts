import { loadsDockerode } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';

describe('entries', () => {
  it('importing @repoforge/deps, and constructing its image builders, loads no dockerode', async () => {
    const here = import.meta.dirname;
    expect(await loadsDockerode('@repoforge/deps', here)).toBe(false);
    const construct = `const m = await import('@repoforge/deps'); new m.EnvBuilder();`;
    expect(await loadsDockerode('@repoforge/deps', here, construct)).toBe(false);
  }, 60_000);
});
