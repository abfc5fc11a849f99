import { pythonBuildSteps, pythonPreTest } from './python-steps.js';

/**
 * What RepoForge knows of the repositories SWE-bench serves: how their tests run and how SWE-bench names
 * them, and what their tests need from Debian. One store, read by harness's recipes (eval) and by deps'
 * planner (mining, `env plan`, rollouts), so a repo is evaluated and mined the same way. A repo not listed
 * here is planned from its manifests.
 */
export interface KnownRepo {
  /** SWE-bench's test command, `{tests}` standing for the instance's test directives. */
  testCmd: string;
  /** The log parser that names tests as SWE-bench does (django's `test_x (m.C)`, sympy's `test_x`). */
  logParser: string;
  /** The Debian packages its tests need (the Debian flavour). */
  debianPackages: readonly string[];
  /** Builds C extensions before its tests can import it; without a `build` there is no Debian flavour yet. */
  needsBuild?: boolean;
  /**
   * How its C extensions are built with Debian's compilers and Cython: once per environment image, at the
   * instance's base commit, keyed by the `sources` (files or directories) the build reads.
   */
  build?: { command: string; sources: readonly string[] };
  /**
   * Versions (SWE-bench's version strings) below this one need a Python older than bookworm's 3.11
   * (`collections.Mapping`, pytest's own assertion rewriter, `types.Union`, jinja2 < 3): their Debian
   * environment is bullseye's Python 3.9, which runs the newer versions too.
   */
  bullseyeBelow?: string;
  /**
   * The pip flavour, SWE-bench's own environment: its Python per SWE-bench version (`*` for the rest; the
   * `python:<x.y>` image) and install steps (its pins; `pip install -e .` links /testbed).
   */
  pip: { python: Readonly<Record<string, string>>; install: readonly string[] };
  /**
   * The file that holds the repo's own version at a commit, where no manifest declares it literally
   * (django's `VERSION = (3, 0, ...)`, sympy's `__version__ = "1.8.dev"`): mined instances get SWE-bench's
   * `major.minor` version from it, which picks their environment and test-name spelling.
   */
  versionFile?: string;
  /** Versions the Debian flavour cannot serve, with why (an instance then errors as `unservable`). */
  debianUnservable?: Readonly<Record<string, string>>;
  /** Steps before its tests beyond the Python ones (services its tests expect, started on loopback). */
  preTest?: readonly string[];
}

const DJANGO_PYTHONS = {
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
};
const DJANGO_TEST = 'tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 {tests}';
const SYMPY_TEST =
  "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' python bin/test -C --verbose {tests}";
const PYTEST = 'pytest -rA {tests}';
const words = (s: string) => s.split(/\s+/).filter(Boolean);

export const KNOWN_REPOS: Readonly<Record<string, KnownRepo>> = {
  'django/django': {
    testCmd: DJANGO_TEST,
    logParser: 'parse_log_django',
    versionFile: 'django/__init__.py',
    pip: {
      python: DJANGO_PYTHONS,
      install: ['python -m pip install -r tests/requirements/py3.txt', 'python -m pip install -e .'],
    },
    debianUnservable: {
      '1.9': 'django 1.9 supports Python up to 3.5 (bookworm has 3.11)',
      '1.10': 'django 1.10 supports Python up to 3.5 (bookworm has 3.11)',
      '1.11': 'django 1.11 supports Python up to 3.7 (bookworm has 3.11)',
      '2.0': 'django 2.0 supports Python up to 3.7 (bookworm has 3.11)',
      '2.1': 'django 2.1 supports Python up to 3.7 (bookworm has 3.11)',
      '2.2': 'django 2.2 supports Python up to 3.9 (bookworm has 3.11)',
    },
    debianPackages: words(
      'python3-asgiref python3-sqlparse python3-tz python3-yaml python3-pil python3-jinja2 python3-docutils python3-argon2 python3-bcrypt',
    ),
  },
  'sympy/sympy': {
    testCmd: SYMPY_TEST,
    logParser: 'parse_log_sympy',
    versionFile: 'sympy/release.py',
    pip: {
      python: { '*': '3.9' },
      install: ['python -m pip install mpmath==1.3.0 flake8-comprehensions', 'python -m pip install -e .'],
    },
    debianUnservable: {
      '1.0': 'sympy 1.0 imports collections.Mapping, removed in Python 3.10',
      '1.1': 'sympy 1.1 imports collections.Mapping, removed in Python 3.10',
    },
    debianPackages: ['python3-mpmath'],
  },
  'psf/requests': {
    testCmd: PYTEST,
    logParser: 'parse_log_requests',
    pip: { python: { '*': '3.9' }, install: ['python -m pip install pytest', 'python -m pip install .'] },
    bullseyeBelow: '2.27',
    // Its older tests call httpbin.org (HTTPBIN_URL); sandboxes have no network: Debian's httpbin on loopback.
    preTest: [
      `(python3 -c "from httpbin import app; app.run(host='127.0.0.1', port=8080)" > /tmp/repoforge-httpbin.log 2>&1 &)`,
      `for i in $(seq 1 100); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/get')" 2> /dev/null && break; sleep 0.1; done`,
      'export HTTPBIN_URL=http://127.0.0.1:8080/',
    ],
    debianPackages: words(
      'python3-pytest python3-urllib3 python3-idna python3-chardet python3-certifi python3-socks python3-charset-normalizer python3-pytest-httpbin python3-httpbin python3-flask python3-pytest-mock python3-trustme',
    ),
  },
  'pallets/flask': {
    testCmd: PYTEST,
    logParser: 'parse_log_flask',
    pip: {
      python: { '*': '3.11' },
      install: [
        'python -m pip install pytest -r requirements/tests.txt || python -m pip install pytest',
        'python -m pip install -e .',
      ],
    },
    debianPackages: words(
      'python3-pytest python3-werkzeug python3-jinja2 python3-itsdangerous python3-click python3-blinker python3-asgiref python3-dotenv python3-greenlet',
    ),
  },
  'pytest-dev/pytest': {
    testCmd: PYTEST,
    logParser: 'parse_log_pytest',
    pip: { python: { '*': '3.9' }, install: ['python -m pip install -e .[testing]'] },
    bullseyeBelow: '7.0',
    debianPackages: words(
      'python3-pytest python3-attr python3-pluggy python3-py python3-iniconfig python3-hypothesis python3-xmlschema python3-more-itertools python3-wcwidth python3-toml python3-atomicwrites python3-tomli python3-exceptiongroup python3-mock python3-requests python3-pygments python3-nose python3-argcomplete',
    ),
  },
  'pylint-dev/pylint': {
    testCmd: PYTEST,
    logParser: 'parse_log_pylint',
    pip: {
      python: { '*': '3.9' },
      install: ['python -m pip install -r requirements_test.txt || true', 'python -m pip install -e .'],
    },
    debianPackages: words(
      'python3-pytest python3-astroid python3-isort python3-mccabe python3-tomlkit python3-platformdirs python3-dill python3-toml python3-typing-extensions python3-tomli python3-git',
    ),
  },
  'sphinx-doc/sphinx': {
    testCmd: 'python -X dev -m pytest -rA --durations 25 {tests}',
    logParser: 'parse_log_sphinx',
    pip: { python: { '*': '3.9' }, install: ['python -m pip install -e .[test]'] },
    bullseyeBelow: '5.0',
    debianPackages: words(
      'python3-pytest python3-docutils python3-jinja2 python3-pygments python3-babel python3-alabaster python3-imagesize python3-snowballstemmer python3-requests python3-packaging python3-html5lib python3-sphinxcontrib.applehelp python3-sphinxcontrib.devhelp python3-sphinxcontrib.htmlhelp python3-sphinxcontrib.jsmath python3-sphinxcontrib.qthelp python3-sphinxcontrib.serializinghtml python3-sphinxcontrib.websupport python3-filelock cython3 graphviz',
    ),
  },
  'mwaskom/seaborn': {
    testCmd: 'pytest --no-header -rA {tests}',
    logParser: 'parse_log_seaborn',
    pip: { python: { '*': '3.9' }, install: ['python -m pip install -e .[dev]'] },
    debianPackages: words('python3-pytest python3-numpy python3-pandas python3-matplotlib python3-scipy'),
  },
  // SWE-bench's xarray environment installs the optional backends its tests skip without.
  'pydata/xarray': {
    testCmd: PYTEST,
    logParser: 'parse_log_xarray',
    pip: {
      python: { '*': '3.10' },
      install: ['python -m pip install numpy pandas pytest', 'python -m pip install -e .'],
    },
    debianPackages: words(
      'python3-pytest python3-numpy python3-pandas python3-packaging python3-scipy python3-dask python3-distributed python3-netcdf4 python3-h5netcdf python3-h5py python3-cftime python3-bottleneck python3-zarr python3-pint python3-sparse python3-toolz python3-fsspec python3-pooch python3-matplotlib python3-seaborn python3-flox python3-hypothesis',
    ),
  },
  'astropy/astropy': {
    testCmd: 'pytest -rA -vv -o console_output_style=classic --tb=no {tests}',
    logParser: 'parse_log_astropy',
    pip: { python: { '*': '3.9' }, install: ['python -m pip install -e .[test] --verbose'] },
    // Measured: their setup.py bootstraps astropy_helpers (a git submodule) from PyPI at build time.
    debianUnservable: {
      '1.3': 'astropy 1.3 builds with astropy_helpers, which its setup.py fetches from PyPI',
      '3.1': 'astropy 3.1 builds with astropy_helpers, which its setup.py fetches from PyPI',
    },
    debianPackages: words(
      'python3-dev gcc libc6-dev cython3 python3-extension-helpers python3-pytest python3-pytest-astropy python3-pytest-astropy-header python3-pytest-doctestplus python3-pytest-remotedata python3-pytest-openfiles python3-pytest-arraydiff python3-pytest-filter-subpackage python3-pytest-xdist python3-numpy python3-erfa python3-yaml python3-packaging python3-hypothesis python3-scipy python3-matplotlib',
    ),
    needsBuild: true,
    build: {
      command: 'python3 setup.py build_ext --inplace -j 2',
      sources: ['setup.py', 'setup.cfg', 'pyproject.toml', 'astropy', 'cextern'],
    },
  },
  'matplotlib/matplotlib': {
    testCmd: PYTEST,
    logParser: 'parse_log_matplotlib',
    pip: {
      python: { '*': '3.11' },
      install: ['python -m pip install -e .[dev] || python -m pip install -e . pytest'],
    },
    debianPackages: words(
      'python3-pytest python3-numpy python3-cycler python3-kiwisolver python3-pil python3-pyparsing python3-dateutil python3-fonttools python3-packaging',
    ),
    needsBuild: true,
  },
  'scikit-learn/scikit-learn': {
    testCmd: PYTEST,
    logParser: 'parse_log_scikit',
    pip: {
      python: { '*': '3.9' },
      install: [
        'python -m pip install cython numpy scipy pytest',
        'python -m pip install -v --no-build-isolation -e .',
      ],
    },
    debianPackages: words('python3-pytest python3-numpy python3-scipy python3-joblib python3-threadpoolctl'),
    needsBuild: true,
  },
};

/** Instances whose tests depend on behaviour Python 3.11 changed: not servable by the Debian flavour. */
export const DEBIAN_UNSERVABLE_INSTANCES: Readonly<Record<string, string>> = {
  // Seen failing with their gold patches on Python 3.11 in an earlier evaluation of 63 Verified instances; the
  // exact behaviour change was not isolated.
  'django__django-11749': 'its tests fail on Python 3.11 with the gold patch (a 3.11 behaviour change)',
  'django__django-11133': 'its tests fail on Python 3.11 with the gold patch (a 3.11 behaviour change)',
};

/** The known repo, or undefined: such a repo is planned from its manifests. */
export function knownRepo(repo: string): KnownRepo | undefined {
  return Object.hasOwn(KNOWN_REPOS, repo) ? KNOWN_REPOS[repo] : undefined;
}

/** Every Debian environment of a known repo has these: python, the repo's own install and requirement check. */
export const DEBIAN_PYTHON_BASE: readonly string[] = words(
  'git patch python3 python3-distutils python-is-python3 python3-pip python3-setuptools python3-setuptools-scm python3-wheel python3-packaging',
);

/**
 * Package stacks several known repos share, each installed as its own apt layer (after DEBIAN_PYTHON_BASE, in
 * this order) by every recipe whose packages include the whole stack: Docker then builds and stores it once for
 * all of them (seaborn's environment is a prefix of xarray's, about 1 GB).
 */
export const DEBIAN_SHARED_STACKS: readonly (readonly string[])[] = [
  words('python3-pytest python3-numpy python3-scipy python3-pandas python3-matplotlib'),
];

/** `a` < `b` as dotted version numbers (SWE-bench's `2.4`, `0.12`, `2022.09`). */
function versionBelow(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d < 0;
  }
  return false;
}

/**
 * SWE-bench's `major.minor` version from a version file's text (`VERSION = (3, 0, 0, 'alpha', 0)`,
 * `__version__ = "1.8.dev"`), or undefined.
 */
export function versionFromSource(text: string): string | undefined {
  const m =
    /^VERSION\s*=\s*\(\s*(\d+)\s*,\s*(\d+)/m.exec(text) ?? /^__version__\s*=\s*['"](\d+)\.(\d+)/m.exec(text);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** The Python SWE-bench ran a known repo's version on (its pip flavour), e.g. `3.6` for django 3.0. */
export function swebenchPython(repo: string, version: string | undefined): string | undefined {
  const python = knownRepo(repo)?.pip.python;
  if (!python) return undefined;
  // A version like 3.0.2 or 3.0.dev20190101 is SWE-bench's 3.0.
  const minor = version && /^\d+\.\d+/.exec(version)?.[0];
  return (
    (version !== undefined ? python[version] : undefined) ??
    (minor ? python[minor] : undefined) ??
    python['*']
  );
}

/**
 * How SWE-bench's lists spell unittest names at a repo's version, which depends on the Python it ran:
 * - `longNames`: Python >= 3.11 prints `test_x (m.C.test_x)`, older ones `test_x (m.C)`;
 * - `docstring`: a test with a docstring is listed by the docstring's first line `always` (Python >= 3.8),
 *   or, on older Pythons, only when the text starts on the docstring's `first-line` (else by name).
 */
export function unittestNaming(
  repo: string,
  version: string | undefined,
): { longNames: boolean; docstring: 'always' | 'first-line' } {
  const python = swebenchPython(repo, version) ?? '3.11';
  return {
    longNames: !versionBelow(python, '3.11'),
    docstring: versionBelow(python, '3.8') ? 'first-line' : 'always',
  };
}

/** The Debian suite a known repo's version runs on: bullseye (Python 3.9) below its `bullseyeBelow`. */
export function debianSuiteOf(repo: string, version: string | undefined): 'bookworm' | 'bullseye' {
  const below = knownRepo(repo)?.bullseyeBelow;
  return below && version && /^[\d.]+$/.test(version) && versionBelow(version, below)
    ? 'bullseye'
    : 'bookworm';
}

/** A known repo's Debian environment (see debianEnvOf). */
export interface DebianEnv {
  suite: 'bookworm' | 'bullseye';
  packages: string[];
  /** Image-time steps with the repo at the base commit (its C extensions' build); empty for most repos. */
  install: string[];
  /** What keys the install: files or directories whose contents at the commit the build reads. */
  installKeyFiles: string[];
  preTest: string[];
  testCmd: string;
  logParser: string;
}

/**
 * How a known repo's Debian environment runs: its suite, packages (those a suite lacks are skipped when the
 * image is built; the requirement check says what that leaves unmet), its build, pre-test steps, test
 * command, parser. Undefined when the repo needs a build RepoForge does not know yet.
 */
export function debianEnvOf(repo: string, version?: string): DebianEnv | undefined {
  const known = knownRepo(repo);
  if (!known || (known.needsBuild && !known.build)) return undefined;
  const build = known.build;
  return {
    suite: debianSuiteOf(repo, version),
    packages: [...DEBIAN_PYTHON_BASE, ...known.debianPackages],
    install: build ? pythonBuildSteps(build.command) : [],
    installKeyFiles: build ? [...build.sources] : [],
    preTest: [...pythonPreTest({ prebuilt: !!build }), ...(known.preTest ?? [])],
    testCmd: known.testCmd,
    logParser: known.logParser,
  };
}
