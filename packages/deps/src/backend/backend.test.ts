import { LocalBackend } from '@repoforge/sandbox';
import { describe, expect, it } from 'vitest';
import { backendKit } from './index.js';

describe('backendKit', () => {
  it('gives Docker when asked, without asking the engine', async () => {
    const kit = await backendKit('docker');
    expect([kit.name, kit.reason, kit.dockerBuilder !== undefined]).toEqual(['docker', 'asked for', true]);
  });

  it('gives the local backend only with isolation, never an unisolated one', async () => {
    const isolated = await new LocalBackend().isolated();
    const got = await backendKit('local').then(
      (kit) => kit.name,
      (error: { code?: string }) => error.code,
    );
    expect(got).toBe(isolated ? 'local' : 'BACKEND_UNAVAILABLE');
  });
});
