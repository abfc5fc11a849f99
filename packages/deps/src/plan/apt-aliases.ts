/**
 * PyPI name -> Debian package, where Debian's name is not simply `python3-<name>`. Reviewed by hand against
 * bookworm's package list; extend with care (a wrong alias installs the wrong thing).
 */
export const APT_ALIASES: Readonly<Record<string, string | null>> = {
  beautifulsoup4: 'python3-bs4',
  pyyaml: 'python3-yaml',
  pillow: 'python3-pil',
  'scikit-learn': 'python3-sklearn',
  'python-dateutil': 'python3-dateutil',
  attrs: 'python3-attr',
  'pytest-cov': 'python3-pytest-cov',
  'pytest-xdist': 'python3-pytest-xdist',
  'pytest-mock': 'python3-pytest-mock',
  'pytest-timeout': 'python3-pytest-timeout',
  msgpack: 'python3-msgpack',
  protobuf: 'python3-protobuf',
  pyjwt: 'python3-jwt',
  pycryptodome: 'python3-pycryptodome',
  markupsafe: 'python3-markupsafe',
  jinja2: 'python3-jinja2',
  'typing-extensions': 'python3-typing-extensions',
  'importlib-metadata': 'python3-importlib-metadata',
  'opencv-python': 'python3-opencv',
  psycopg2: 'python3-psycopg2',
  'psycopg2-binary': 'python3-psycopg2',
  mysqlclient: 'python3-mysqldb',
  dnspython: 'python3-dnspython',
  pyopenssl: 'python3-openssl',
  tomli: 'python3-tomli',
  // Debian packages these build backends under their own names (python3-flit does not exist).
  flit: 'flit',
  'flit-core': 'flit',
  flit_core: 'flit',
  hatchling: 'python3-hatchling',
  'poetry-core': 'python3-poetry-core',
  // Part of the Python runtime or build tooling: nothing to install.
  setuptools: 'python3-setuptools',
  wheel: null,
  pip: null,
  tox: null,
  flake8: null,
  black: null,
  mypy: null,
  'pre-commit': null,
  sphinx: null,
  ruff: null,
  hatch: null,
  build: null,
  furo: null,
  twine: null,
  codecov: null,
};

/** The Debian package for a requirement name (null: needs nothing for tests). */
export function aptPackageFor(name: string): string | null {
  if (name in APT_ALIASES) return APT_ALIASES[name]!;
  return `python3-${name}`;
}
