import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Instance } from '@repoforge/schema';
import { gitDiff, gitIn, makeGitRepo } from './git-repo.js';

const run = promisify(execFile);

/** The diff that turns `base` into `base` + `files`, made with git on a scratch checkout. */
async function patchAt(dir: string, base: string, files: Record<string, string>): Promise<string> {
  await gitIn(dir, ['checkout', '-q', base]);
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  const diff = await gitIn(dir, ['diff', '--no-color']);
  await gitIn(dir, ['checkout', '-q', '-f', 'main']);
  return diff;
}

const PY_BASE = `def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n`;
const PY_FIXED = `def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n`;
const PY_TEST_BASE = `from calc import add, sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n`;
const PY_TEST_FIXED = `${PY_TEST_BASE}\n\ndef test_add():\n    assert add(2, 3) == 5\n`;

/** What the hostile patch aims at, for tests to check on the host. */
export const HOSTILE = {
  hostFile: '/etc/repoforge-hostile-secret',
  hostWrite: '/tmp/repoforge-hostile-pwned',
  daemon: 'repoforge-hostile-daemon',
} as const;

/**
 * Code that attacks the host when called: prints a host environment variable, reads a host file, writes
 * outside /testbed and to a host path, and leaves a daemon behind. `_contained()` says whether it found nothing.
 */
export const PY_ATTACK = `import os, subprocess


def _attack():
    print("ENV:" + os.environ.get("REPOFORGE_HOSTILE_SECRET", "absent"))
    try:
        print("FILE:" + open("${HOSTILE.hostFile}").read())
    except OSError:
        print("FILE:absent")
    for path in ("/outside-testbed.txt", "${HOSTILE.hostWrite}"):
        try:
            open(path, "w").write("pwned")
        except OSError:
            pass
    subprocess.Popen(["bash", "-c", "exec -a ${HOSTILE.daemon} sleep 600"], start_new_session=True)


def _contained():
    return "REPOFORGE_HOSTILE_SECRET" not in os.environ and not os.path.exists("${HOSTILE.hostFile}")
`;

/** The fix, plus the attack, run when the tests call `add`. */
const PY_HOSTILE = `${PY_ATTACK}

def add(a, b):
    _attack()  # inside a test, so pytest -rA shows what it printed
    return a + b


def sub(a, b):
    return a - b
`;

/** The instance's tests, with the attack in the test that passes before and after (hostile repo content). */
const PY_TEST_HOSTILE = `${PY_ATTACK}
from calc import add, sub


def test_sub():
    _attack()
    assert _contained() and sub(5, 3) == 2


def test_add():
    assert add(2, 3) == 5
`;

/** The fix, plus 100 MiB printed by the test that calls it (a runaway log: pytest -rA echoes it). */
const PY_FLOOD = `import sys


def add(a, b):
    sys.stdout.write(("x" * 1023 + "\\n") * 102400)
    return a + b


def sub(a, b):
    return a - b
`;

/** A Python repo (pytest from Debian) with a bug in `add`, its fix, and the test that shows it. */
export async function makePythonSample(root: string): Promise<{
  instance: Instance;
  wrongPatch: string;
  hangPatch: string;
  hostilePatch: string;
  floodPatch: string;
  /** A test_patch whose tests attack the host (`test_sub` passes only while they find nothing). */
  hostileTestPatch: string;
}> {
  const dir = join(root, 'acme', 'calc');
  const [base, fix] = await makeGitRepo(dir, [
    {
      message: 'calc with add and sub',
      files: { 'calc.py': PY_BASE, 'tests/test_calc.py': PY_TEST_BASE, 'conftest.py': '' },
    },
    { message: 'fix add', files: { 'calc.py': PY_FIXED, 'tests/test_calc.py': PY_TEST_FIXED } },
  ]);
  const instance: Instance = {
    repo: 'acme/calc',
    instance_id: 'acme__calc-1',
    base_commit: base!,
    patch: await gitDiff(dir, base!, fix!, ['calc.py']),
    test_patch: await gitDiff(dir, base!, fix!, ['tests']),
    problem_statement: 'add() subtracts',
    hints_text: '',
    created_at: '2024-01-01T00:00:00Z',
    version: '1.0',
    FAIL_TO_PASS: ['tests/test_calc.py::test_add'],
    PASS_TO_PASS: ['tests/test_calc.py::test_sub'],
    environment_setup_commit: base!,
  };
  const wrongPatch = await patchAt(dir, base!, {
    'calc.py': PY_BASE.replace('return a - b', 'return a * b'),
  });
  const hangPatch = await patchAt(dir, base!, {
    'calc.py': PY_BASE.replace('return a - b', 'while True:\n        pass'),
  });
  const hostilePatch = await patchAt(dir, base!, { 'calc.py': PY_HOSTILE });
  const floodPatch = await patchAt(dir, base!, { 'calc.py': PY_FLOOD });
  const hostileTestPatch = await patchAt(dir, base!, { 'tests/test_calc.py': PY_TEST_HOSTILE });
  return { instance, wrongPatch, hangPatch, hostilePatch, floodPatch, hostileTestPatch };
}

const JS_BASE = `const isNumber = require('is-number');\n\nfunction double(x) {\n  if (!isNumber(x)) throw new TypeError('not a number');\n  return x * 3;\n}\n\nmodule.exports = { double };\n`;
const JS_TEST_BASE = `const assert = require('assert');\nconst { double } = require('../lib');\n\ndescribe('double', () => {\n  it('rejects strings', () => {\n    assert.throws(() => double('a'));\n  });\n});\n`;
const JS_TEST_FIXED = JS_TEST_BASE.replace(
  '  });\n});\n',
  "  });\n  it('doubles numbers', () => {\n    assert.strictEqual(double(4), 8);\n  });\n});\n",
);

/** A Node repo with real npm dependencies (is-number, mocha) and a lockfile, a bug in `double` and its fix. */
export async function makeNodeSample(root: string): Promise<{ instance: Instance }> {
  const dir = join(root, 'acme', 'doubler');
  const pkg = {
    name: 'doubler',
    version: '1.0.0',
    private: true,
    scripts: { test: 'mocha' },
    dependencies: { 'is-number': '7.0.0' },
    devDependencies: { mocha: '10.8.2' },
  };
  await makeGitRepo(dir, [
    { message: 'package', files: { 'package.json': `${JSON.stringify(pkg, null, 2)}\n` } },
  ]);
  await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: dir,
  });
  const lock = await readFile(join(dir, 'package-lock.json'), 'utf8');
  const [, base, fix] = await makeGitRepo(dir, [
    { message: 'lockfile', files: { 'package-lock.json': lock } },
    { message: 'double', files: { 'lib/index.js': JS_BASE, 'test/double.test.js': JS_TEST_BASE } },
    {
      message: 'fix double',
      files: { 'lib/index.js': JS_BASE.replace('x * 3', 'x * 2'), 'test/double.test.js': JS_TEST_FIXED },
    },
  ]).then(async (ids) => [ids[0], ids[1], ids[2]]);
  const instance: Instance = {
    repo: 'acme/doubler',
    instance_id: 'acme__doubler-1',
    base_commit: base!,
    patch: await gitDiff(dir, base!, fix!, ['lib']),
    test_patch: await gitDiff(dir, base!, fix!, ['test']),
    problem_statement: 'double() triples',
    hints_text: '',
    created_at: '2024-01-01T00:00:00Z',
    version: '1.0.0',
    FAIL_TO_PASS: ['double doubles numbers'],
    PASS_TO_PASS: ['double rejects strings'],
  };
  return { instance };
}

/** Environments of the samples: Debian's python3-pytest; Debian's nodejs + npm with `npm ci` at build time. */
export function sampleEnvSpecs(baseImage: string) {
  const apt = (pkgs: string) =>
    `FROM ${baseImage}\nRUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs} > /dev/null && rm -rf /var/lib/apt/lists/* /var/cache/apt/*\n`;
  return {
    'acme/calc': {
      '*': {
        dockerfile: apt('git patch python3 python3-pytest'),
        install: [],
        install_key_files: [],
        pre_test: [],
        test_cmd: 'python3 -m pytest -rA -p no:cacheprovider tests',
        log_parser: 'parse_log_pytest',
      },
    },
    'acme/doubler': {
      '*': {
        dockerfile: apt('git patch nodejs npm ca-certificates'),
        install: ['npm ci --no-audit --no-fund', 'mkdir -p /opt/deps && mv node_modules /opt/deps/'],
        install_key_files: ['package.json', 'package-lock.json'],
        pre_test: ['ln -sfn /opt/deps/node_modules node_modules'],
        test_cmd: 'npx mocha --no-color test/',
        log_parser: 'parse_log_mocha',
      },
    },
  };
}
