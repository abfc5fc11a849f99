import type { RecipeCommit } from './write-repo.js';

/** What a demo history contains, to test a miner against (each kind of commit a miner must judge). */
export interface RecipeOptions {
  /** Bug-fix commits (each: a buggy function, then its fix with a test that fails before it). */
  fixes?: number;
  /** After this many fixes the dependencies change (a new environment). */
  dependencyChangeAfter?: number;
  /** Add the edge cases: a docs-only commit, a tests-only commit, a fix with a flaky test, a build-breaking commit. */
  edgeCases?: boolean;
}

const PY_CONFTEST = 'import os, sys\n\nsys.path.insert(0, os.path.dirname(__file__))\n';

/** A Python library (pytest from Debian) whose history holds real bug fixes with tests. */
export function pythonRecipe(options: RecipeOptions = {}): RecipeCommit[] {
  const fixes = options.fixes ?? 3;
  const commits: RecipeCommit[] = [
    {
      message: 'Initial mathlib with add and sub',
      files: {
        'README.md': '# mathlib\n\nSmall math helpers.\n',
        'conftest.py': PY_CONFTEST,
        'mathlib/__init__.py': '',
        'mathlib/core.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n',
        'tests/test_core.py':
          'from mathlib.core import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n',
      },
    },
  ];
  for (let k = 1; k <= fixes; k++) {
    if (options.dependencyChangeAfter !== undefined && k === options.dependencyChangeAfter + 1) {
      commits.push({
        message: 'Depend on six for py2/3 helpers',
        files: {
          'requirements.txt': 'six\n',
          'mathlib/compat.py': 'import six\n\nstring_types = six.string_types\n',
        },
      });
    }
    commits.push({
      message: `Add scale${k}()`,
      files: {
        [`mathlib/scale${k}.py`]: `def scale${k}(x):\n    """Returns x * ${k + 1} + 1."""\n    return x * ${k + 1} - 1\n`,
      },
    });
    commits.push({
      message: `Fix scale${k}() off by two\n\nscale${k}(x) returned x * ${k + 1} - 1 instead of x * ${k + 1} + 1.`,
      files: {
        [`mathlib/scale${k}.py`]: `def scale${k}(x):\n    """Returns x * ${k + 1} + 1."""\n    return x * ${k + 1} + 1\n`,
        [`tests/test_scale${k}.py`]: `from mathlib.scale${k} import scale${k}\n\n\ndef test_scale${k}_value():\n    assert scale${k}(2) == ${2 * (k + 1) + 1}\n\n\ndef test_scale${k}_returns_int():\n    assert isinstance(scale${k}(2), int)\n`,
      },
    });
  }
  if (options.edgeCases) {
    commits.push({
      message: 'Docs: usage',
      files: {
        'README.md': '# mathlib\n\nSmall math helpers.\n\n## Usage\n\n    from mathlib.core import add\n',
      },
    });
    commits.push({
      message: 'Test sub with negatives',
      files: {
        'tests/test_core.py':
          'from mathlib.core import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n\n\ndef test_sub_negative():\n    assert sub(-1, 1) == -2\n',
      },
    });
    commits.push({
      message: 'Add halve()',
      files: { 'mathlib/halve.py': 'def halve(x):\n    return x // 2\n' },
    });
    commits.push({
      message: 'Fix halve() for odd numbers',
      files: {
        'mathlib/halve.py': 'def halve(x):\n    return x / 2\n',
        'tests/test_halve.py':
          'from mathlib.halve import halve\n\n\ndef test_halve_odd():\n    assert halve(3) == 1.5\n\n\ndef test_halve_set_order():\n    # Flaky: a set of strings iterates in hash order, which changes with PYTHONHASHSEED.\n    assert list({"pear", "apple", "fig"})[0] == "pear"\n',
      },
    });
    commits.push({
      message: 'Refactor mul (broken build)',
      files: {
        'mathlib/mul.py': 'def mul(a, b)\n    return a * b\n',
        'tests/test_mul.py': 'from mathlib.mul import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n',
      },
    });
  }
  return commits;
}

/** A Node library (mocha from npm, a lockfile) whose history holds real bug fixes with tests. */
export function nodeRecipe(lockfile: (pkg: string) => string, options: RecipeOptions = {}): RecipeCommit[] {
  const fixes = options.fixes ?? 3;
  const pkg = (deps: Record<string, string>) =>
    `${JSON.stringify({ name: 'demo-strings', version: '1.0.0', private: true, scripts: { test: 'mocha' }, dependencies: deps, devDependencies: { mocha: '10.8.2' } }, null, 2)}\n`;
  const pkg0 = pkg({});
  const commits: RecipeCommit[] = [
    {
      message: 'Initial string helpers',
      files: {
        'README.md': '# demo-strings\n',
        'package.json': pkg0,
        'package-lock.json': lockfile(pkg0),
        'lib/core.js':
          "function shout(s) {\n  return s.toUpperCase() + '!';\n}\n\nmodule.exports = { shout };\n",
        'test/core.test.js':
          "const assert = require('assert');\nconst { shout } = require('../lib/core');\n\ndescribe('shout', () => {\n  it('uppercases', () => {\n    assert.strictEqual(shout('hi'), 'HI!');\n  });\n});\n",
      },
    },
  ];
  for (let k = 1; k <= fixes; k++) {
    if (options.dependencyChangeAfter !== undefined && k === options.dependencyChangeAfter + 1) {
      const p = pkg({ 'is-number': '7.0.0' });
      commits.push({
        message: 'Use is-number',
        files: {
          'package.json': p,
          'package-lock.json': lockfile(p),
          'lib/num.js': "module.exports = require('is-number');\n",
        },
      });
    }
    commits.push({
      message: `Add repeat${k}()`,
      files: {
        [`lib/repeat${k}.js`]: `// Repeats s ${k + 1} times.\nmodule.exports = (s) => s.repeat(${k});\n`,
      },
    });
    commits.push({
      message: `Fix repeat${k}() count`,
      files: {
        [`lib/repeat${k}.js`]: `// Repeats s ${k + 1} times.\nmodule.exports = (s) => s.repeat(${k + 1});\n`,
        [`test/repeat${k}.test.js`]: `const assert = require('assert');\nconst repeat = require('../lib/repeat${k}');\n\ndescribe('repeat${k}', () => {\n  it('repeats ${k + 1} times', () => {\n    assert.strictEqual(repeat('ab'), '${'ab'.repeat(k + 1)}');\n  });\n  it('returns a string', () => {\n    assert.strictEqual(typeof repeat('x'), 'string');\n  });\n});\n`,
      },
    });
  }
  return commits;
}
