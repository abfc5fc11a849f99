import type { Sandbox, SandboxOptions } from '@repoforge/sandbox';
import { describe, expect, it } from 'vitest';
import { rolloutSandboxPool } from './sandbox-pool.js';

describe('rolloutSandboxPool', () => {
  it("creates the evaluation's sandboxes: no network and eval's process limit", async () => {
    const asked: SandboxOptions[] = [];
    const pool = rolloutSandboxPool({
      concurrency: 1,
      createSandbox: async (o) => {
        asked.push(o);
        return { id: 'x', backend: 'local', close: async () => {} } as unknown as Sandbox;
      },
    });
    const lease = await pool.acquire('img');
    await lease.release();
    await pool.close();
    expect(asked[0]).toMatchObject({ image: 'img', network: 'none', limits: { pids: 4096 } });
  });
});
