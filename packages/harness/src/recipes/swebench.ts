import type { EnvSpecInput } from '@repoforge/schema';
import {
  APT_CLEANUP,
  DEBIAN_PYTHON_BASE,
  DEBIAN_SHARED_STACKS,
  DEBIAN_UNSERVABLE_INSTANCES,
  DROP_UNUSED_PERL,
  debianEnvOf,
  KNOWN_REPOS,
  knownRepo,
} from '@repoforge/schema';
import { HarnessError } from '../errors.js';

/**
 * Built-in environments for SWE-bench's repositories, as data in the env-spec file's shape
 * (`{ "owner/name": { "<version>": EnvSpec } }`), in two flavours:
 * - `pip`: SWE-bench's own Python version and pins (its MAP_REPO_VERSION_TO_SPECS), installed with pip on
 *   Docker Hub's `python:<x.y>` image — for machines that reach PyPI and Docker Hub.
 * - `debian`: Debian bookworm's python3 (3.11) and python3-* packages — for machines with only apt. It
 *   serves the versions whose tests run on Python 3.11; the rest are listed in schema's KNOWN_REPOS (`debianUnservable`).
 * Every test command takes `{tests}`: the instance's test directives (see testDirectives).
 */
export type RecipeFlavour = 'pip' | 'debian';

/** The base image Debian recipes build on (tools/setup-docker.sh makes it; override per call). */
export const DEFAULT_DEBIAN_BASE = 'repoforge/base:bookworm';
/** The base image of versions that need bullseye's Python 3.9 (schema's `bullseyeBelow`). */
const DEFAULT_DEBIAN_OLD_BASE = 'repoforge/base:bullseye';

/**
 * One apt layer; a package the suite does not have is skipped, and said in the build log. Perl that only git's
 * and mailcap's extras need is dropped, and docs, translations and apt's lists are removed, in the same layer.
 */
function aptLayer(packages: readonly string[]): string {
  const available = `$(for p in ${packages.join(' ')}; do if apt-cache show "$p" > /dev/null 2>&1; then echo "$p"; else echo "not in this suite, skipped: $p" >&2; fi; done)`;
  return [
    `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${available} > /dev/null`,
    DROP_UNUSED_PERL,
    APT_CLEANUP,
  ].join(' && ');
}

/**
 * The apt layers of a recipe: Debian's Python and tools (the same in every recipe of a suite, so Docker builds
 * and stores it once for all of them), each shared stack the repo needs whole (likewise shared), then the
 * repo's own packages.
 */
function aptLayers(packages: readonly string[]): string[][] {
  const layers = [[...DEBIAN_PYTHON_BASE]];
  let rest = [...new Set(packages.filter((p) => !DEBIAN_PYTHON_BASE.includes(p)))];
  for (const stack of DEBIAN_SHARED_STACKS) {
    if (!stack.every((p) => rest.includes(p))) continue;
    layers.push([...stack]);
    rest = rest.filter((p) => !stack.includes(p));
  }
  return rest.length ? [...layers, rest] : layers;
}

/**
 * The Debian flavour: the known repo's suite, packages, pre-test steps and test command (schema's KNOWN_REPOS).
 */
function debianSpec(
  repo: string,
  version: string | undefined,
  options: RecipeOptions,
): EnvSpecInput | undefined {
  const env = debianEnvOf(repo, version);
  if (!env) return undefined;
  const base =
    env.suite === 'bullseye'
      ? (options.debianOldBase ?? DEFAULT_DEBIAN_OLD_BASE)
      : (options.debianBase ?? DEFAULT_DEBIAN_BASE);
  return {
    dockerfile: [
      `FROM ${base}`,
      ...aptLayers(env.packages).map(aptLayer),
      // bullseye's python3-pytest installs the command as pytest-3 only.
      'RUN command -v pytest > /dev/null || ln -s /usr/bin/pytest-3 /usr/local/bin/pytest',
      'ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONPATH=/testbed PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1',
      '',
    ].join('\n'),
    // A repo with C extensions is built at image time, once per its sources at the commit (schema's build).
    install: env.install,
    install_key_files: env.installKeyFiles,
    // The repo's requirements checked, then the repo installed (editable) before its tests: schema's python-steps.
    pre_test: env.preTest,
    test_cmd: env.testCmd,
  };
}

/** Where the pip flavour gets Python and packages (defaults: Docker Hub's `python:<x.y>` and PyPI). */
export interface PipRecipeOptions {
  /** The image per Python version, `{python}` standing for `3.11` etc. Default `python:{python}`. */
  pythonImage?: string;
  /** A PyPI mirror or stand-in (PEP 503 simple index) for the install steps; plain http is trusted by host. */
  pipIndexUrl?: string;
}

/** The Dockerfile lines that point pip at `url` (none for PyPI). */
function pipIndexLines(url: string | undefined): string[] {
  if (!url) return [];
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol))
    throw new HarnessError('INPUT_INVALID', `pipIndexUrl is not an http(s) URL: ${url.slice(0, 200)}`);
  // pip refuses a plain-http index unless its host is trusted; https needs nothing more.
  const trusted = parsed.protocol === 'http:' ? ` PIP_TRUSTED_HOST=${parsed.hostname}` : '';
  return [`ENV PIP_INDEX_URL=${parsed.href}${trusted}`];
}

function pipSpec(repo: string, version: string, options: PipRecipeOptions): EnvSpecInput | undefined {
  const pip = knownRepo(repo)?.pip;
  const python = pip?.python[version] ?? pip?.python['*'];
  if (!pip || !python) return undefined;
  const image = (options.pythonImage ?? 'python:{python}').replaceAll('{python}', python);
  return {
    dockerfile: [
      `FROM ${image}`,
      'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git patch locales > /dev/null && rm -rf /var/lib/apt/lists/*',
      'ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1',
      ...pipIndexLines(options.pipIndexUrl),
      '',
    ].join('\n'),
    install: [...pip.install],
    install_key_files: ['setup.py', 'setup.cfg', 'pyproject.toml', 'tests/requirements/py3.txt'],
    test_cmd: knownRepo(repo)!.testCmd,
  };
}

/** Why a recipe cannot serve an instance, or undefined when it can. */
export function recipeUnservable(
  instance: { instance_id: string; repo: string; version?: string },
  flavour: RecipeFlavour,
): string | undefined {
  if (flavour !== 'debian') return undefined;
  return (
    DEBIAN_UNSERVABLE_INSTANCES[instance.instance_id] ??
    knownRepo(instance.repo)?.debianUnservable?.[instance.version ?? ''] ??
    (knownRepo(instance.repo)?.needsBuild && !knownRepo(instance.repo)?.build
      ? `${instance.repo} builds C extensions the Debian flavour does not build yet: use the pip flavour`
      : undefined)
  );
}

/** Options of both flavours: the Debian base image, and the pip flavour's image and index. */
export interface RecipeOptions extends PipRecipeOptions {
  debianBase?: string;
  /** The base of versions that need bullseye's Python 3.9 (default repoforge/base:bullseye). */
  debianOldBase?: string;
}

/** The built-in recipe for an instance's repo and version, or undefined when there is none. */
export function swebenchRecipe(
  instance: { repo: string; version?: string },
  flavour: RecipeFlavour,
  options: RecipeOptions = {},
): EnvSpecInput | undefined {
  return flavour === 'debian'
    ? debianSpec(instance.repo, instance.version, options)
    : pipSpec(instance.repo, instance.version ?? '', options);
}

/** The repos the built-in recipes know. */
export const RECIPE_REPOS: readonly string[] = Object.keys(KNOWN_REPOS);

/**
 * Every built-in recipe of a flavour as one env-spec map (the file format `--env-spec` reads): Debian
 * recipes under `*` (one image per repo family), pip recipes per SWE-bench version.
 */
export function swebenchRecipeMap(
  flavour: RecipeFlavour,
  options: RecipeOptions = {},
): Record<string, Record<string, EnvSpecInput>> {
  const map: Record<string, Record<string, EnvSpecInput>> = {};
  for (const repo of RECIPE_REPOS) {
    const versions = flavour === 'debian' ? ['*'] : Object.keys(knownRepo(repo)?.pip.python ?? {});
    const byVersion: Record<string, EnvSpecInput> = {};
    for (const version of versions) {
      const spec = swebenchRecipe({ repo, version }, flavour, options);
      if (spec) byVersion[version] = spec;
    }
    if (Object.keys(byVersion).length) map[repo] = byVersion;
  }
  return map;
}
