import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Whether importing `entry` (from source) loads dockerode, in a fresh Node process. */
async function loadsDockerode(entry: string, then = ''): Promise<boolean> {
  const probe = `await import('${entry}'); ${then}
const { createRequire } = await import('node:module');
process.stdout.write(String(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/dockerode/'))));`;
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@repoforge/source', '--import', 'tsx', '--input-type=module', '-e', probe],
    { cwd: import.meta.dirname },
  );
  return stdout.trim().split('\n').at(-1) === 'true';
}

describe('entries', () => {
  it('the main entry never loads dockerode; the docker entry, and asking for a Docker sandbox, do', async () => {
    expect(await loadsDockerode('@repoforge/sandbox')).toBe(false);
    expect(await loadsDockerode('@repoforge/sandbox/docker')).toBe(true);
    // resolveBackend('docker') only constructs the backend: no engine needed to see it load.
    const ask = `const m = await import('@repoforge/sandbox'); await m.resolveBackend('docker');`;
    expect(await loadsDockerode('@repoforge/sandbox', ask)).toBe(true);
  }, 60_000);
});
