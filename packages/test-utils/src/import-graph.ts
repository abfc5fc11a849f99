import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether importing `entry` (from source, in a fresh Node process started in `cwd`) loads dockerode;
 * `then` is more code to run after the import (asking for a Docker sandbox, say).
 */
export async function loadsDockerode(entry: string, cwd: string, then = ''): Promise<boolean> {
  const probe = `await import('${entry}'); ${then}
const { createRequire } = await import('node:module');
process.stdout.write(String(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/dockerode/'))));`;
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@repoforge/source', '--import', 'tsx', '--input-type=module', '-e', probe],
    { cwd },
  );
  return stdout.trim().split('\n').at(-1) === 'true';
}
