import type { ChildProcess } from 'node:child_process';

/**
 * The first stdout chunk of a child process that passes `accept`. Rejects, with what the child wrote to stderr, if
 * the child exits first — so a child that cannot start (a missing dist, an import error) fails the test at once
 * instead of leaving it waiting until its timeout.
 */
export function firstStdout(
  child: ChildProcess,
  accept: (chunk: string) => boolean = () => true,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout!.on('data', (d) => {
      if (accept(String(d))) resolve(String(d));
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(`child exited (${signal ?? code}) before writing what was awaited: ${stderr.slice(-2000)}`),
      ),
    );
    child.once('error', reject);
  });
}
