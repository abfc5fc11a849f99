/**
 * Steps the Debian recipes run in the sandbox before an instance's tests (pre_test: network none, repo at
 * /testbed): check that the installed packages meet the commit's declared requirements, then install the repo
 * itself so the code under test is the one imported.
 */

/** The log line a requirement the environment cannot meet leaves; grading reads it (`unmetRequirements`). */
export const UNMET_MARKER = '>>>>> Unmet requirement:';

/**
 * Reads the commit's install requirements (setup.py's literal install_requires, setup.cfg, pyproject's
 * [project] dependencies) without running any of the repo's code, and compares them with what is installed.
 * An installed version older than a lower bound (>=, >, ~=, ==) is unmet: the commit uses what that version
 * lacks (pylint 3.0 on astroid 2.14); so is a required package that is not installed. An upper bound is often a precaution: printed, left to the tests.
 * Exits 3 when a requirement is unmet.
 */
const CHECK_REQUIREMENTS = `
import ast, configparser, os, re, subprocess, sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
    from packaging.version import Version
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.version import Version
def literal_strings(node):
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []
def from_setup_py():
    try:
        tree = ast.parse(open('setup.py', encoding='utf-8').read())
    except Exception:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == 'install_requires':
            out += literal_strings(node.value)
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', '').lower() in ('install_requires', 'requires') for t in node.targets):
            out += literal_strings(node.value)
    return out
def from_setup_cfg():
    if not os.path.exists('setup.cfg'):
        return []
    cfg = configparser.ConfigParser(interpolation=None)
    try:
        cfg.read('setup.cfg', encoding='utf-8')
        return [l.strip() for l in cfg.get('options', 'install_requires', fallback='').splitlines() if l.strip()]
    except Exception:
        return []
def from_pyproject():
    try:
        import tomllib
        return tomllib.load(open('pyproject.toml', 'rb')).get('project', {}).get('dependencies', [])
    except Exception:
        return []
def debian_version(name):
    # Debian's package version, when its metadata lags (python3-sphinxcontrib.htmlhelp 2.0.0 says 1.0.4.dev0).
    try:
        path = str(metadata.distribution(name)._path)
        owner = subprocess.run(['dpkg', '-S', path], capture_output=True, text=True).stdout.split(':')[0].strip()
        full = subprocess.run(['dpkg-query', '-W', '-f=\${Version}', owner], capture_output=True, text=True).stdout
        return Version(re.sub(r'[-+~].*$', '', re.sub(r'^[0-9]+:', '', full)))
    except Exception:
        return None
unmet = 0
for text in from_setup_py() + from_setup_cfg() + from_pyproject():
    try:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate():
            continue
    except Exception:
        continue
    try:
        have = Version(metadata.version(req.name))
    except metadata.PackageNotFoundError:
        print('${UNMET_MARKER} needs %s (not installed)' % text.strip())
        unmet += 1
        continue
    except Exception:
        continue
    for spec in req.specifier:
        bound = Version(spec.version.replace('.*', '')) if spec.operator in ('>=', '>', '~=', '==') else None
        if bound is not None and have < bound:
            have = max(have, debian_version(req.name) or have)
        if bound is not None and have < bound:
            print('${UNMET_MARKER} needs %s (installed %s)' % (text.strip(), have))
            unmet += 1
            break
        if not spec.contains(have, prereleases=True):
            print('>>>>> Requirement not met, left to the tests: %s (installed %s)' % (text.strip(), have))
            break
sys.exit(3 if unmet else 0)
`;

/** Where a built repo's build products wait in its environment image, restored into each checkout. */
export const PREBUILT_TAR = '/opt/repoforge-build.tar';

const CHECK_STEP = `python3 - <<'REPOFORGE_CHECK_REQUIREMENTS' || exit 0${CHECK_REQUIREMENTS}REPOFORGE_CHECK_REQUIREMENTS`;
// A checkout has no tags: setuptools_scm would call the repo 0.1.dev1 (pytest's minversion checks fail).
const SCM_VERSION = `SETUPTOOLS_SCM_PRETEND_VERSION="\${REPOFORGE_INSTANCE_VERSION:-0.0}"`;

/**
 * The pre_test steps: the requirement check (an unmet one ends the script before any test runs: nothing to
 * grade), then an editable install of the repo without dependencies or build isolation, ahead of Debian's
 * copy of the same package (pytest testing pytest). A repo that does not install keeps PYTHONPATH=/testbed.
 * A repo built at image time (`prebuilt`) gets its build products back instead: reinstalling would compile
 * it again on every run, since a fresh checkout's sources look newer than any build.
 */
export function pythonPreTest(options: { prebuilt?: boolean } = {}): string[] {
  if (options.prebuilt)
    return [
      CHECK_STEP,
      `tar -xmf ${PREBUILT_TAR} || { echo ">>>>> The environment has no build of the repo (${PREBUILT_TAR})"; exit 0; }`,
    ];
  return [
    CHECK_STEP,
    // bookworm's pip refuses system installs without --break-system-packages; bullseye's does not know it.
    'bsp=$(python3 -m pip install --help 2>/dev/null | grep -o -m1 -- --break-system-packages)',
    `${SCM_VERSION} python3 -m pip install --quiet --no-deps --no-build-isolation --no-index $bsp -e . > /tmp/repoforge-install.log 2>&1 || { echo ">>>>> The repo did not install itself (tests import it from /testbed):"; tail -n 5 /tmp/repoforge-install.log; }`,
  ];
}

/**
 * Install steps (image build time, repo at the base commit in the working directory) that build a repo's C
 * extensions in place and keep every file the build wrote (extensions, generated sources and version files;
 * not its object files) in PREBUILT_TAR, which pythonPreTest({ prebuilt: true }) restores into each checkout.
 */
export function pythonBuildSteps(command: string): string[] {
  return [
    'touch /tmp/repoforge-build-start',
    `${SCM_VERSION} ${command} > /tmp/repoforge-build.log 2>&1 || { tail -n 60 /tmp/repoforge-build.log; exit 1; }`,
    `find . -newer /tmp/repoforge-build-start -type f ! -path './build/*' ! -path './.git/*' ! -name '*.o' -print0 | tar --null -T - -cf ${PREBUILT_TAR}`,
    `tar -tf ${PREBUILT_TAR} | grep -c '[.]so$' | sed 's/^/extensions built: /'`,
  ];
}

/** The requirements a log says the environment could not meet (the check's lines), in order. */
export function unmetRequirements(log: string): string[] {
  return [...log.matchAll(/^>>>>> Unmet requirement: (.*)$/gm)].map((m) => m[1]!);
}
