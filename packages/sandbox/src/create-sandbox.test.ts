import { describe, expect, it } from 'vitest';
import { type BackendCandidates, resolveBackend } from './create-sandbox.js';
import type { SandboxBackend } from './types.js';

const fake = (name: string, up: boolean) =>
  ({ name, available: async () => up, isolated: async () => up }) as unknown as SandboxBackend & {
    isolated(): Promise<boolean>;
  };

const candidates = (docker: boolean, isolatedLocal: boolean): BackendCandidates => ({
  docker: async () => fake('docker', docker),
  local: () => fake('local', isolatedLocal),
});

describe('resolveBackend auto', () => {
  it('prefers Docker, then an isolated local backend', async () => {
    expect((await resolveBackend('auto', candidates(true, true))).name).toBe('docker');
    expect((await resolveBackend('auto', candidates(false, true))).name).toBe('local');
  });

  it('never falls back to an unisolated local backend', async () => {
    await expect(resolveBackend('auto', candidates(false, false))).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
    });
  });
});
