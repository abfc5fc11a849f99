import { debianEnvOf, KNOWN_REPOS, knownRepo } from '@repoforge/schema';
import type { EnvSpecInput } from '../env-spec.js';
import { HarnessError } from '../errors.js';

/**
 * Built-in environments for SWE-bench's repositories, as data in the env-spec file's shape
 * (`{ "owner/name": { "<version>": EnvSpec } }`), in two flavours:
 * - `pip`: SWE-bench's own Python version and pins (its MAP_REPO_VERSION_TO_SPECS), installed with pip on
 *   Docker Hub's `python:<x.y>` image — for machines that reach PyPI and Docker Hub.
 * - `debian`: Debian bookworm's python3 (3.11) and python3-* packages — for machines with only apt. It
 *   serves the versions whose tests run on Python 3.11; the rest are listed in DEBIAN_UNSERVABLE.
 * Every test command takes `{tests}`: the instance's test directives (see testDirectives).
 */
export type RecipeFlavour = 'pip' | 'debian';

/** The base image Debian recipes build on (tools/setup-docker.sh makes it; override per call). */
export const DEFAULT_DEBIAN_BASE = 'repoforge/base:bookworm';
/** The base image of versions that need bullseye's Python 3.9 (schema's `bullseyeBelow`). */
export const DEFAULT_DEBIAN_OLD_BASE = 'repoforge/base:bullseye';

/** Test commands per repo (SWE-bench's, with `{tests}` where it appends the directives). */
const TEST_CMDS: Record<string, string> = Object.fromEntries(
  Object.entries(KNOWN_REPOS).map(([repo, known]) => [repo, known.testCmd]),
);

/**
 * SWE-bench's Python per repo/version (the pip flavour's `python:<x.y>` image). Versions not listed use
 * the repo's `*` entry.
 */
const PIP_PYTHON: Record<string, Record<string, string>> = {
  'django/django': {
    '1.9': '3.5',
    '1.10': '3.5',
    '1.11': '3.5',
    '2.0': '3.5',
    '2.1': '3.5',
    '2.2': '3.5',
    '3.0': '3.6',
    '3.1': '3.6',
    '3.2': '3.6',
    '4.0': '3.8',
    '4.1': '3.9',
    '4.2': '3.9',
    '5.0': '3.11',
    '*': '3.11',
  },
  'sympy/sympy': { '*': '3.9' },
  'psf/requests': { '*': '3.9' },
  'pallets/flask': { '*': '3.11' },
  'pytest-dev/pytest': { '*': '3.9' },
  'pylint-dev/pylint': { '*': '3.9' },
  'sphinx-doc/sphinx': { '*': '3.9' },
  'mwaskom/seaborn': { '*': '3.9' },
  'pydata/xarray': { '*': '3.10' },
  'astropy/astropy': { '*': '3.9' },
  'matplotlib/matplotlib': { '*': '3.11' },
  'scikit-learn/scikit-learn': { '*': '3.9' },
};

/** The pip flavour's install steps per repo (SWE-bench's pins; `pip install -e .` links /testbed). */
const PIP_INSTALL: Record<string, string[]> = {
  'django/django': ['python -m pip install -r tests/requirements/py3.txt', 'python -m pip install -e .'],
  'sympy/sympy': ['python -m pip install mpmath==1.3.0 flake8-comprehensions', 'python -m pip install -e .'],
  'psf/requests': ['python -m pip install pytest', 'python -m pip install .'],
  'pallets/flask': [
    'python -m pip install pytest -r requirements/tests.txt || python -m pip install pytest',
    'python -m pip install -e .',
  ],
  'pytest-dev/pytest': ['python -m pip install -e .[testing]'],
  'pylint-dev/pylint': [
    'python -m pip install -r requirements_test.txt || true',
    'python -m pip install -e .',
  ],
  'sphinx-doc/sphinx': ['python -m pip install -e .[test]'],
  'mwaskom/seaborn': ['python -m pip install -e .[dev]'],
  'pydata/xarray': ['python -m pip install numpy pandas pytest', 'python -m pip install -e .'],
  'astropy/astropy': ['python -m pip install -e .[test] --verbose'],
  'matplotlib/matplotlib': ['python -m pip install -e .[dev] || python -m pip install -e . pytest'],
  'scikit-learn/scikit-learn': [
    'python -m pip install cython numpy scipy pytest',
    'python -m pip install -v --no-build-isolation -e .',
  ],
};

/**
 * Versions the Debian flavour cannot serve, with why: they need an older Python than bookworm's 3.11 (and
 * bullseye's 3.9 was not measured for them), or their tests depend on behaviour 3.11 changed. Such instances are reported as not servable, not unresolved.
 */
export const DEBIAN_UNSERVABLE: Record<string, Record<string, string>> = {
  'django/django': {
    '1.9': 'django 1.9 supports Python up to 3.5 (bookworm has 3.11)',
    '1.10': 'django 1.10 supports Python up to 3.5 (bookworm has 3.11)',
    '1.11': 'django 1.11 supports Python up to 3.7 (bookworm has 3.11)',
    '2.0': 'django 2.0 supports Python up to 3.7 (bookworm has 3.11)',
    '2.1': 'django 2.1 supports Python up to 3.7 (bookworm has 3.11)',
    '2.2': 'django 2.2 supports Python up to 3.9 (bookworm has 3.11)',
  },
  'sympy/sympy': {
    '1.0': 'sympy 1.0 imports collections.Mapping, removed in Python 3.10',
    '1.1': 'sympy 1.1 imports collections.Mapping, removed in Python 3.10',
  },
};

/** Instances whose tests depend on behaviour Python 3.11 changed: not servable by the Debian flavour. */
export const DEBIAN_UNSERVABLE_INSTANCES: Record<string, string> = {
  // Seen failing with their gold patches on Python 3.11 in an earlier evaluation of 63 Verified instances; the
  // exact behaviour change was not isolated.
  'django__django-11749': 'its tests fail on Python 3.11 with the gold patch (a 3.11 behaviour change)',
  'django__django-11133': 'its tests fail on Python 3.11 with the gold patch (a 3.11 behaviour change)',
};

/**
 * The Debian flavour: the known repo's suite, packages, pre-test steps and test command (schema's KNOWN_REPOS).
 * A package the suite does not have is skipped, and said in the build log.
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
  const available = `$(for p in ${env.packages.join(' ')}; do if apt-cache show "$p" > /dev/null 2>&1; then echo "$p"; else echo "not in this suite, skipped: $p" >&2; fi; done)`;
  return {
    dockerfile: [
      `FROM ${base}`,
      `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${available} > /dev/null && rm -rf /var/lib/apt/lists/* /var/cache/apt/*`,
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
  const pythons = PIP_PYTHON[repo];
  const python = pythons?.[version] ?? pythons?.['*'];
  if (!python) return undefined;
  const image = (options.pythonImage ?? 'python:{python}').replaceAll('{python}', python);
  return {
    dockerfile: [
      `FROM ${image}`,
      'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git patch locales > /dev/null && rm -rf /var/lib/apt/lists/*',
      'ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1',
      ...pipIndexLines(options.pipIndexUrl),
      '',
    ].join('\n'),
    install: PIP_INSTALL[repo] ?? ['python -m pip install -e .'],
    install_key_files: ['setup.py', 'setup.cfg', 'pyproject.toml', 'tests/requirements/py3.txt'],
    test_cmd: TEST_CMDS[repo]!,
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
    DEBIAN_UNSERVABLE[instance.repo]?.[instance.version ?? ''] ??
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
export const RECIPE_REPOS: readonly string[] = Object.keys(TEST_CMDS);

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
    const versions = flavour === 'debian' ? ['*'] : Object.keys(PIP_PYTHON[repo] ?? {});
    const byVersion: Record<string, EnvSpecInput> = {};
    for (const version of versions) {
      const spec = swebenchRecipe({ repo, version }, flavour, options);
      if (spec) byVersion[version] = spec;
    }
    if (Object.keys(byVersion).length) map[repo] = byVersion;
  }
  return map;
}
