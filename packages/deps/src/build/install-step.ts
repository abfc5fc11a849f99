import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '@repoforge/sandbox';
import { writeFileAtomic } from '@repoforge/schema/node';
import { DepsError } from '../errors.js';
import type { InstallPlan } from '../spec.js';

/** Where dependencies are installed, in images and local environments alike. */
export const DEPS_DIR = '/opt/deps';

// No package-manager caches or temp files kept, and no compiler leftovers of native builds (object files), only
// the built addons. (/root and /tmp are the sandbox's own.)
const CLEANUP = `rm -rf /root/.npm /root/.cache /root/.yarn /tmp/* ${DEPS_DIR}/node_modules/.cache; find ${DEPS_DIR}/node_modules -type d \\( -name obj.target -o -name .deps \\) -path '*/build/*' -prune -exec rm -rf {} + 2>/dev/null; true`;

/**
 * Runs a dependency install in `sb` (network `host`): the lockfile/manifests or requirements written to
 * /opt/deps, the command run there, then the caches cleaned. pip installs into the system Python, or into
 * `pipTarget` when given (local environments, found through PYTHONPATH). A failure is ENV_BUILD_FAILED with the
 * log's tail.
 */
export async function runInstall(
  sb: Sandbox,
  install: InstallPlan,
  options: {
    pipTarget?: string;
    signal?: AbortSignal;
    /**
     * For a repo without a lockfile: where the lockfile of this dependency set's first successful install is
     * kept (`<dir>/<key>.json`), so later builds of the same set install exactly the same versions.
     */
    lockCache?: { dir: string; key: string };
  } = {},
): Promise<void> {
  let command: string;
  if (install.strategy === 'apt') {
    throw new DepsError('ENV_BUILD_FAILED', 'apt packages are not installed by an install step');
  } else if (install.strategy === 'pip') {
    const index = install.indexUrl ? ` --index-url ${install.indexUrl}` : '';
    const where = options.pipTarget ? ` --target ${options.pipTarget}` : ' --break-system-packages';
    await sb.writeFiles({ [`${DEPS_DIR}/requirements.txt`]: `${install.requirements.join('\n')}\n` });
    command = `python3 -m pip install --no-cache-dir${where}${index} -r requirements.txt`;
  } else {
    await sb.writeFiles(
      Object.fromEntries(Object.entries(install.files).map(([p, c]) => [`${DEPS_DIR}/${p}`, c])),
    );
    command = install.command;
    if (lockless(install) && options.lockCache) {
      const saved = await readFile(lockPath(options.lockCache), 'utf8').catch(() => undefined);
      if (saved) await sb.writeFiles({ [`${DEPS_DIR}/package-lock.json`]: saved });
    }
  }
  const r = await sb.exec(['/bin/sh', '-c', command], {
    cwd: DEPS_DIR,
    timeoutMs: 1_800_000,
    signal: options.signal,
    user: '0',
  });
  if (r.exitCode !== 0) {
    throw new DepsError(
      'ENV_BUILD_FAILED',
      `installing dependencies failed (exit ${r.exitCode}): ${command}\n${(r.stdout + r.stderr).slice(-3000)}`,
    );
  }
  if (lockless(install) && options.lockCache && !existsSync(lockPath(options.lockCache))) {
    const lock = await sb.readFile(`${DEPS_DIR}/package-lock.json`).catch(() => undefined);
    if (lock) await writeFileAtomic(lockPath(options.lockCache), Buffer.from(lock).toString('utf8'));
  }
  await sb.exec(['/bin/sh', '-c', CLEANUP], { user: '0', signal: options.signal });
}

/** An npm install whose repo has no lockfile of its own (npm writes one at install time). */
function lockless(install: InstallPlan): boolean {
  return (
    install.strategy === 'npm' &&
    !('package-lock.json' in install.files) &&
    !('npm-shrinkwrap.json' in install.files)
  );
}

const lockPath = (cache: { dir: string; key: string }) => join(cache.dir, `${cache.key}.json`);
