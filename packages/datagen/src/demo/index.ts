/**
 * `@repoforge/datagen/demo`: small generated repositories (a Python and a Node one, with fixes, tests and
 * edge cases) for the demo, benchmarks and tests. Not part of the mining API.
 */
import { join } from 'node:path';
import { npmLockfile } from './lockfile.js';
import { nodeRecipe, pythonRecipe, type RecipeOptions } from './recipes.js';
import { writeRepo } from './write-repo.js';

/**
 * Creates the demo repositories under `root` (as `owner/name` folders a repo cache understands): a Python and a
 * Node library whose histories hold real bug fixes with tests. Node lockfiles are resolved with npm.
 */
export async function createDemoRepos(
  root: string,
  options: RecipeOptions = {},
): Promise<{ python: string; node: string }> {
  const lockfiles = new Map<string, string>();
  const node = nodeRecipe((pkg) => lockfiles.get(pkg) ?? '', options);
  for (const c of node) {
    const pkg = c.files['package.json'];
    if (pkg && !lockfiles.has(pkg)) lockfiles.set(pkg, await npmLockfile(pkg));
  }
  const resolved = nodeRecipe((pkg) => lockfiles.get(pkg)!, options);
  const python = join(root, 'demo', 'mathlib');
  const nodeDir = join(root, 'demo', 'strings');
  await writeRepo(python, pythonRecipe(options));
  await writeRepo(nodeDir, resolved);
  return { python, node: nodeDir };
}

export { npmLockfile } from './lockfile.js';
export { nodeRecipe, pythonRecipe, type RecipeOptions } from './recipes.js';
export { type RecipeCommit, writeRepo } from './write-repo.js';
