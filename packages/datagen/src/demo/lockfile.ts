import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cache = new Map<string, string>();

/** A real package-lock.json for a package.json text, resolved by npm against the registry (cached per text). */
export async function npmLockfile(packageJson: string): Promise<string> {
  const hit = cache.get(packageJson);
  if (hit) return hit;
  const dir = await mkdtemp(join(tmpdir(), 'repoforge-lock-'));
  try {
    await writeFile(join(dir, 'package.json'), packageJson);
    await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      maxBuffer: 1 << 24,
    });
    const lock = await readFile(join(dir, 'package-lock.json'), 'utf8');
    cache.set(packageJson, lock);
    return lock;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
