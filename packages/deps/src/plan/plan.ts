import { DepsError } from '../errors.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { EnvPlan } from '../spec.js';
import { planKnownRepo } from './known.js';
import { planNode } from './node.js';
import { planPython } from './python.js';

const PY_TEST = /(^|\/)(test_[^/]*|[^/]*_test)\.py$|(^|\/)tests?\/(.*\/)?[^/]*\.py$/;
const JS_TEST = /\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)(__tests__|tests?)\/(.*\/)?[^/]*\.[cm]?[jt]sx?$/;

/** How many test files of each ecosystem a repo has (by the usual naming and folder conventions). */
function countTestFiles(snapshot: RepoSnapshot): { node: number; python: number } {
  let node = 0;
  let python = 0;
  for (const p of snapshot.paths) {
    if (p.includes('node_modules/')) continue;
    if (PY_TEST.test(p)) python++;
    else if (JS_TEST.test(p)) node++;
  }
  return { node, python };
}

/**
 * Which ecosystem a repo is, from its manifests; with both Node and Python manifests, the one that holds more
 * of the repo's tests (django ships a package.json for a few dozen JS tests beside thousands of Python ones).
 */
export function detectEcosystem(snapshot: RepoSnapshot): 'node' | 'python' | undefined {
  const node = snapshot.files.has('package.json');
  const py =
    ['pyproject.toml', 'setup.py', 'setup.cfg'].some((f) => snapshot.files.has(f)) ||
    [...snapshot.files.keys()].some((f) => f.startsWith('requirements'));
  if (node && py) {
    const tests = countTestFiles(snapshot);
    return tests.python > tests.node ? 'python' : 'node';
  }
  if (node) return 'node';
  if (py || snapshot.paths.some((p) => p.endsWith('.py'))) return 'python';
  return undefined;
}

/**
 * The environment of a repo snapshot: a known repo's recipe, else a plan from its manifests. Go and Rust are
 * not planned yet.
 */
export async function planEnv(
  snapshot: RepoSnapshot,
  options: {
    pythonInstall?: 'apt' | 'pip';
    pipIndexUrl?: string;
    /** `owner/name`: a known repo gets its built-in recipe (plan/known.ts) instead of a plan. */
    repo?: string;
    /** The files an instance's tests are in: where a repo has several suites, the runner of theirs. */
    testFiles?: readonly string[];
  } = {},
): Promise<EnvPlan> {
  const known = options.pythonInstall === 'pip' ? undefined : planKnownRepo(options.repo);
  if (known) return known;
  const eco = detectEcosystem(snapshot);
  if (eco === 'node') return planNode(snapshot, { testFiles: options.testFiles });
  if (eco === 'python')
    return planPython(snapshot, { install: options.pythonInstall, pipIndexUrl: options.pipIndexUrl });
  throw new DepsError(
    'NO_ECOSYSTEM',
    'no package.json, pyproject.toml, setup.py, setup.cfg or requirements file: cannot plan an environment (Go and Rust are not supported yet)',
  );
}
