import { DepsError } from '../errors.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { EnvSpec } from '../spec.js';
import { planNode } from './node.js';
import { planPython } from './python.js';

/** Which ecosystem a repo is, from its manifests (Node when both: the test runner decides). */
export function detectEcosystem(snapshot: RepoSnapshot): 'node' | 'python' | undefined {
  if (snapshot.files.has('package.json')) return 'node';
  const py = ['pyproject.toml', 'setup.py', 'setup.cfg'].some((f) => snapshot.files.has(f));
  if (py || [...snapshot.files.keys()].some((f) => f.startsWith('requirements'))) return 'python';
  if (snapshot.paths.some((p) => p.endsWith('.py'))) return 'python';
  return undefined;
}

/** Plans the environment of a repo snapshot. Go and Rust are not planned yet. */
export async function planEnv(
  snapshot: RepoSnapshot,
  options: { pythonInstall?: 'apt' | 'pip'; pipIndexUrl?: string } = {},
): Promise<EnvSpec> {
  const eco = detectEcosystem(snapshot);
  if (eco === 'node') return planNode(snapshot);
  if (eco === 'python')
    return planPython(snapshot, { install: options.pythonInstall, pipIndexUrl: options.pipIndexUrl });
  throw new DepsError(
    'NO_ECOSYSTEM',
    'no package.json, pyproject.toml, setup.py, setup.cfg or requirements file: cannot plan an environment (Go and Rust are not supported yet)',
  );
}
