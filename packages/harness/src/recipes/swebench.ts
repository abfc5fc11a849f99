import type { EnvSpecInput } from '../env-spec.js';
import { HarnessError } from '../errors.js';
import { pythonPreTest } from './python-steps.js';

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

const DJANGO_TEST = 'tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 {tests}';
const SYMPY_TEST =
  "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' python bin/test -C --verbose {tests}";
const PYTEST = 'pytest -rA {tests}';

/** Apt packages per repo family: one image per family (a package one family needs can change another's paths). */
const DEBIAN_PACKAGES: Record<string, string> = {
  'django/django':
    'python3-asgiref python3-sqlparse python3-tz python3-yaml python3-pil python3-jinja2 python3-docutils python3-argon2 python3-bcrypt',
  'sympy/sympy': 'python3-mpmath',
  'psf/requests':
    'python3-pytest python3-urllib3 python3-idna python3-chardet python3-certifi python3-socks python3-charset-normalizer python3-pytest-httpbin python3-pytest-mock python3-trustme',
  'pallets/flask':
    'python3-pytest python3-werkzeug python3-jinja2 python3-itsdangerous python3-click python3-blinker python3-asgiref python3-dotenv python3-greenlet',
  'pytest-dev/pytest':
    'python3-pytest python3-attr python3-pluggy python3-py python3-iniconfig python3-hypothesis python3-xmlschema python3-more-itertools python3-wcwidth python3-tomli python3-exceptiongroup python3-mock python3-requests python3-pygments python3-nose python3-argcomplete',
  'pylint-dev/pylint':
    'python3-pytest python3-astroid python3-isort python3-mccabe python3-tomlkit python3-platformdirs python3-dill python3-typing-extensions python3-tomli',
  'sphinx-doc/sphinx':
    'python3-pytest python3-docutils python3-jinja2 python3-pygments python3-babel python3-alabaster python3-imagesize python3-snowballstemmer python3-requests python3-packaging python3-html5lib python3-sphinxcontrib.applehelp python3-sphinxcontrib.devhelp python3-sphinxcontrib.htmlhelp python3-sphinxcontrib.jsmath python3-sphinxcontrib.qthelp python3-sphinxcontrib.serializinghtml python3-sphinxcontrib.websupport python3-filelock cython3',
  'mwaskom/seaborn': 'python3-pytest python3-numpy python3-pandas python3-matplotlib python3-scipy',
  // SWE-bench's xarray environment installs the optional backends its tests skip without.
  'pydata/xarray':
    'python3-pytest python3-numpy python3-pandas python3-packaging python3-scipy python3-dask python3-distributed python3-netcdf4 python3-h5netcdf python3-h5py python3-cftime python3-bottleneck python3-zarr python3-pint python3-sparse python3-toolz python3-fsspec python3-pooch python3-matplotlib python3-seaborn python3-flox python3-hypothesis',
  'astropy/astropy':
    'python3-pytest python3-numpy python3-erfa python3-yaml python3-packaging python3-hypothesis',
  'matplotlib/matplotlib':
    'python3-pytest python3-numpy python3-cycler python3-kiwisolver python3-pil python3-pyparsing python3-dateutil python3-fonttools python3-packaging',
  'scikit-learn/scikit-learn':
    'python3-pytest python3-numpy python3-scipy python3-joblib python3-threadpoolctl',
};

/** What every Debian recipe has to check requirements and install the repo itself (python-steps.ts). */
const PYTHON_TOOLING =
  'python3-pip python3-setuptools python3-setuptools-scm python3-wheel python3-packaging';

/** Test commands per repo (SWE-bench's, with `{tests}` where it appends the directives). */
const TEST_CMDS: Record<string, string> = {
  'django/django': DJANGO_TEST,
  'sympy/sympy': SYMPY_TEST,
  'psf/requests': PYTEST,
  'pallets/flask': PYTEST,
  'pytest-dev/pytest': PYTEST,
  'pylint-dev/pylint': PYTEST,
  'sphinx-doc/sphinx': 'python -X dev -m pytest -rA --durations 25 {tests}',
  'mwaskom/seaborn': 'pytest --no-header -rA {tests}',
  'pydata/xarray': PYTEST,
  'astropy/astropy': 'pytest -rA -vv -o console_output_style=classic --tb=no {tests}',
  'matplotlib/matplotlib': PYTEST,
  'scikit-learn/scikit-learn': PYTEST,
};

/** Repos whose source must be built before tests import it (C extensions): no Debian flavour. */
const NEEDS_BUILD = new Set(['astropy/astropy', 'matplotlib/matplotlib', 'scikit-learn/scikit-learn']);

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
 * Versions the Debian flavour cannot serve, with why: they need an older Python than bookworm's 3.11, or
 * their tests depend on behaviour 3.11 changed. Such instances are reported as not servable, not unresolved.
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

function debianSpec(repo: string, base: string): EnvSpecInput | undefined {
  const pkgs = DEBIAN_PACKAGES[repo];
  if (!pkgs || NEEDS_BUILD.has(repo)) return undefined;
  return {
    dockerfile: [
      `FROM ${base}`,
      `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git patch python3 python3-distutils python-is-python3 ${PYTHON_TOOLING} ${pkgs} > /dev/null && rm -rf /var/lib/apt/lists/* /var/cache/apt/*`,
      'ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONPATH=/testbed PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1',
      '',
    ].join('\n'),
    // The repo's requirements checked, then the repo installed (editable) before its tests: see python-steps.
    pre_test: pythonPreTest(),
    test_cmd: TEST_CMDS[repo]!,
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
    (NEEDS_BUILD.has(instance.repo) ? `${instance.repo} builds C extensions: use the pip flavour` : undefined)
  );
}

/** Options of both flavours: the Debian base image, and the pip flavour's image and index. */
export interface RecipeOptions extends PipRecipeOptions {
  debianBase?: string;
}

/** The built-in recipe for an instance's repo and version, or undefined when there is none. */
export function swebenchRecipe(
  instance: { repo: string; version?: string },
  flavour: RecipeFlavour,
  options: RecipeOptions = {},
): EnvSpecInput | undefined {
  return flavour === 'debian'
    ? debianSpec(instance.repo, options.debianBase ?? DEFAULT_DEBIAN_BASE)
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
