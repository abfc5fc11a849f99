import { parse as parseToml } from 'smol-toml';
import { DepsError } from '../errors.js';
import { iniList, parseIni } from '../manifests/ini.js';
import {
  normalizeName,
  parseRequirement,
  parseRequirementsTxt,
  type Requirement,
} from '../manifests/requirements.js';
import { readSetupPy } from '../manifests/setup-py.js';
import type { RepoSnapshot } from '../snapshot.js';
import type { EnvPlan } from '../spec.js';
import { aptPackageFor } from './apt-aliases.js';

/** Extras whose requirements tests need. */
const TEST_EXTRAS = /^(test|tests|testing|dev|develop|development)$/i;

interface PythonFacts {
  requirements: Requirement[];
  pytestConfigured: boolean;
  notes: string[];
}

async function collect(snapshot: RepoSnapshot): Promise<PythonFacts> {
  const reqs: Requirement[] = [];
  const notes: string[] = [];
  let pytestConfigured = false;
  const add = (items: readonly string[] | undefined) => {
    for (const s of items ?? []) {
      const r = parseRequirement(s);
      if (r) reqs.push(r);
    }
  };
  const pyproject = snapshot.files.get('pyproject.toml');
  if (pyproject) {
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(pyproject) as Record<string, unknown>;
    } catch (error) {
      throw new DepsError('MANIFEST_INVALID', `pyproject.toml: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const project = (doc.project ?? {}) as {
      dependencies?: string[];
      'optional-dependencies'?: Record<string, string[]>;
    };
    add(project.dependencies);
    for (const [extra, list] of Object.entries(project['optional-dependencies'] ?? {}))
      if (TEST_EXTRAS.test(extra)) add(list);
    const groups = (doc['dependency-groups'] ?? {}) as Record<string, unknown[]>;
    for (const [g, list] of Object.entries(groups))
      if (TEST_EXTRAS.test(g)) add(list.filter((x): x is string => typeof x === 'string'));
    const tool = (doc.tool ?? {}) as Record<string, Record<string, unknown>>;
    if (tool.pytest) pytestConfigured = true;
    const poetry = tool.poetry as
      | {
          dependencies?: Record<string, unknown>;
          group?: Record<string, { dependencies?: Record<string, unknown> }>;
        }
      | undefined;
    if (poetry) {
      add(Object.keys(poetry.dependencies ?? {}).filter((n) => n !== 'python'));
      for (const [g, grp] of Object.entries(poetry.group ?? {}))
        if (TEST_EXTRAS.test(g)) add(Object.keys(grp.dependencies ?? {}));
    }
  }
  const setupCfg = snapshot.files.get('setup.cfg');
  if (setupCfg) {
    const ini = parseIni(setupCfg);
    add(iniList(ini.get('options')?.get('install_requires')));
    add(iniList(ini.get('options')?.get('tests_require')));
    for (const [extra, list] of ini.get('options.extras_require') ?? [])
      if (TEST_EXTRAS.test(extra)) add(iniList(list));
    if (ini.has('tool:pytest')) pytestConfigured = true;
  }
  const setupPy = snapshot.files.get('setup.py');
  if (setupPy) {
    const info = await readSetupPy(setupPy);
    add(info.installRequires);
    add(info.testsRequire);
    for (const [extra, list] of Object.entries(info.extrasRequire)) if (TEST_EXTRAS.test(extra)) add(list);
    if (info.dynamic.length)
      notes.push(`setup.py computes ${[...new Set(info.dynamic)].join(', ')} at run time: not read`);
  }
  for (const path of [...snapshot.files.keys()]
    .filter((p) => /^requirements.*\.txt$|^requirements\/.*\.txt$/.test(p))
    .sort()) {
    if (/docs?|lint|doc-/.test(path)) continue;
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
    reqs.push(
      ...parseRequirementsTxt(snapshot.files.get(path)!, (p) => snapshot.files.get(dir + p)).requirements,
    );
  }
  if (snapshot.files.has('pytest.ini') || snapshot.paths.some((p) => /(^|\/)conftest\.py$/.test(p)))
    pytestConfigured = true;
  const tox = snapshot.files.get('tox.ini');
  if (tox && parseIni(tox).has('pytest')) pytestConfigured = true;
  return { requirements: reqs, pytestConfigured, notes };
}

/** Plans a Python repo's environment: Debian's python3, requirements as Debian packages (or pip), the runner. */
export async function planPython(
  snapshot: RepoSnapshot,
  options: { install?: 'apt' | 'pip'; pipIndexUrl?: string } = {},
): Promise<EnvPlan> {
  const { requirements, pytestConfigured, notes } = await collect(snapshot);
  const names = [...new Set(requirements.map((r) => r.name))].sort();
  const djangoRunner =
    snapshot.paths.includes('tests/runtests.py') &&
    names.includes('django') === false &&
    snapshot.paths.some((p) => p.startsWith('django/'));
  const usesPytest =
    pytestConfigured ||
    names.includes('pytest') ||
    snapshot.paths.some((p) => /(^|\/)test_[^/]*\.py$|_test\.py$/.test(p));
  let testCmd: string;
  let logParser: string;
  let runner: string;
  let junitXml: string | undefined;
  if (djangoRunner) {
    runner = 'django';
    testCmd = './tests/runtests.py --verbosity 2 --parallel 1';
    logParser = 'parse_log_django';
  } else if (snapshot.files.has('manage.py') && names.includes('django') && !pytestConfigured) {
    runner = 'django';
    testCmd = 'python3 manage.py test --verbosity 2 --noinput';
    logParser = 'parse_log_django';
  } else if (usesPytest) {
    runner = 'pytest';
    testCmd =
      'python3 -m pytest -rA -p no:cacheprovider -o junit_family=xunit1 --junitxml=/tmp/repoforge-junit.xml {tests}';
    logParser = 'parse_log_pytest';
    junitXml = '/tmp/repoforge-junit.xml';
  } else {
    runner = 'unittest';
    testCmd = 'python3 -m unittest discover -v';
    logParser = 'parse_log_django'; // unittest -v prints Django's "name (module.Class) ... ok" lines
  }
  const wanted = new Set(names);
  if (runner === 'pytest') wanted.add('pytest');
  const strategy = options.install ?? 'apt';
  const install: EnvPlan['install'] =
    strategy === 'pip'
      ? { strategy: 'pip', requirements: [...wanted].sort(), indexUrl: options.pipIndexUrl }
      : (() => {
          const packages = new Set<string>();
          const unmapped: string[] = [];
          for (const n of wanted) {
            const apt = aptPackageFor(normalizeName(n));
            if (apt) packages.add(apt);
            else unmapped.push(n);
          }
          return { strategy: 'apt' as const, packages: [...packages].sort(), unmapped: unmapped.sort() };
        })();
  const src = snapshot.paths.some((p) => p.startsWith('src/') && p.endsWith('.py'));
  return {
    ecosystem: 'python',
    runtime: { name: 'python', version: '3' },
    systemPackages: [
      'git',
      'patch',
      'python3',
      ...(strategy === 'pip' ? ['python3-pip', 'python3-venv'] : []),
    ],
    install,
    preTest: [
      `export PYTHONPATH="$PWD${src ? ':$PWD/src' : ''}\${PYTHONPATH:+:$PYTHONPATH}"`,
      'export PYTHONDONTWRITEBYTECODE=1',
    ],
    testCmd,
    logParser,
    junitXml,
    testRunner: runner,
    notes,
  };
}
