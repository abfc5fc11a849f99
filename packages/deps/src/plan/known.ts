import { debianEnvOf } from '@repoforge/schema';
import type { EnvPlan } from '../spec.js';

/**
 * A repo RepoForge knows (schema's KNOWN_REPOS: the SWE-bench repos) gets its recipe, not a plan: the same
 * Debian packages, test command and test names eval's built-in recipe uses, so what is mined from it grades
 * under `eval run` with no options. Undefined for every other repo, for known ones with no Debian recipe, and for
 * those whose recipe builds C extensions into the image at the instance's commit (astropy): deps' images hold
 * no repo, so those are planned from their manifests.
 */
export function planKnownRepo(repo: string | undefined): EnvPlan | undefined {
  const env = repo ? debianEnvOf(repo) : undefined;
  if (!env || env.install.length) return undefined;
  return {
    ecosystem: 'python',
    runtime: { name: 'python', version: '3' },
    systemPackages: env.packages,
    install: { strategy: 'apt', packages: [], unmapped: [] },
    preTest: [
      `export PYTHONPATH="$PWD\${PYTHONPATH:+:$PYTHONPATH}"`,
      'export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1',
      ...env.preTest,
    ],
    testCmd: env.testCmd,
    logParser: env.logParser,
    testRunner: 'recipe',
    answeredBy: 'recipe',
    notes: [
      `${repo} is a known repo: its built-in recipe answered (SWE-bench's test command and test names)`,
    ],
  };
}
