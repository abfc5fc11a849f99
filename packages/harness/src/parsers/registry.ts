import {
  parseLogImmutableJs,
  parseLogJest,
  parseLogJestJson,
  parseLogKarma,
  parseLogMarked,
  parseLogMocha,
  parseLogNodeTap,
  parseLogTap,
  parseLogVitest,
} from './javascript.js';
import { parseLogMsweJest, parseLogMsweMocha } from './mswe.js';
import { parseLogCargo, parseLogGoTest } from './native.js';
import {
  parseLogDjango,
  parseLogMatplotlib,
  parseLogPytest,
  parseLogPytestOptions,
  parseLogPytestV2,
  parseLogSeaborn,
  parseLogSympy,
} from './python.js';
import type { LogParser } from './types.js';

/** Every parser by SWE-bench's name (`parse_log_*`, the value of an instance's `log_parser` field). */
export const LOG_PARSERS: Readonly<Record<string, LogParser>> = {
  parse_log_pytest: parseLogPytest,
  parse_log_pytest_options: parseLogPytestOptions,
  parse_log_pytest_v2: parseLogPytestV2,
  parse_log_django: parseLogDjango,
  parse_log_seaborn: parseLogSeaborn,
  parse_log_sympy: parseLogSympy,
  parse_log_matplotlib: parseLogMatplotlib,
  parse_log_astroid: parseLogPytest,
  parse_log_flask: parseLogPytest,
  parse_log_marshmallow: parseLogPytest,
  parse_log_pvlib: parseLogPytest,
  parse_log_pyvista: parseLogPytest,
  parse_log_sqlfluff: parseLogPytest,
  parse_log_xarray: parseLogPytest,
  parse_log_pydicom: parseLogPytestOptions,
  parse_log_requests: parseLogPytestOptions,
  parse_log_pylint: parseLogPytestOptions,
  parse_log_astropy: parseLogPytestV2,
  parse_log_scikit: parseLogPytestV2,
  parse_log_sphinx: parseLogPytestV2,
  parse_log_jest: parseLogJest,
  parse_log_jest_json: parseLogJestJson,
  parse_log_vitest: parseLogVitest,
  parse_log_tap: parseLogTap,
  parse_log_karma: parseLogKarma,
  parse_log_marked: parseLogMarked,
  parse_log_immutable_js: parseLogImmutableJs,
  parse_log_mocha: parseLogMocha,
  parse_log_node_tap: parseLogNodeTap,
  parse_log_gotest: parseLogGoTest,
  parse_log_cargo: parseLogCargo,
  // Multi-SWE-bench's naming (RepoForge's names; Multi-SWE-bench rows carry no parser name of their own).
  parse_log_mswe_jest: parseLogMsweJest,
  parse_log_mswe_mocha: parseLogMsweMocha,
};

/** For a row from Multi-SWE-bench: the parser that names tests its way, for a runner's usual parser. */
export const MSWE_PARSERS: Readonly<Record<string, string>> = {
  parse_log_jest: 'parse_log_mswe_jest',
  parse_log_mocha: 'parse_log_mswe_mocha',
};

/** SWE-bench's repo -> parser map (Python and JS repos of SWE-bench, Verified and Multilingual). */
const REPO_PARSERS: Readonly<Record<string, string>> = {
  'astropy/astropy': 'parse_log_astropy',
  'django/django': 'parse_log_django',
  'marshmallow-code/marshmallow': 'parse_log_marshmallow',
  'matplotlib/matplotlib': 'parse_log_matplotlib',
  'mwaskom/seaborn': 'parse_log_seaborn',
  'pallets/flask': 'parse_log_flask',
  'psf/requests': 'parse_log_requests',
  'pvlib/pvlib-python': 'parse_log_pvlib',
  'pydata/xarray': 'parse_log_xarray',
  'pydicom/pydicom': 'parse_log_pydicom',
  'pylint-dev/astroid': 'parse_log_astroid',
  'pylint-dev/pylint': 'parse_log_pylint',
  'pytest-dev/pytest': 'parse_log_pytest',
  'pyvista/pyvista': 'parse_log_pyvista',
  'scikit-learn/scikit-learn': 'parse_log_scikit',
  'sqlfluff/sqlfluff': 'parse_log_sqlfluff',
  'sphinx-doc/sphinx': 'parse_log_sphinx',
  'sympy/sympy': 'parse_log_sympy',
  'markedjs/marked': 'parse_log_marked',
  'babel/babel': 'parse_log_jest',
  'vuejs/core': 'parse_log_vitest',
  'facebook/docusaurus': 'parse_log_jest',
  'immutable-js/immutable-js': 'parse_log_immutable_js',
  'mrdoob/three.js': 'parse_log_tap',
  'preactjs/preact': 'parse_log_karma',
  'axios/axios': 'parse_log_tap',
};

/**
 * The dataset parsers that read what a planned runner prints, by the plan's parser: a planned jest run
 * prints its verbose lines and a `[STATUS] suite > test` line per test (deps' JEST_STATUS_LINES), which is
 * what SWE-bench's `parse_log_jest`, `parse_log_jest_json` and `parse_log_immutable_js` read.
 */
const READ_PLANNED_OUTPUT: Readonly<Record<string, ReadonlySet<string>>> = {
  parse_log_jest: new Set(['parse_log_jest', 'parse_log_jest_json', 'parse_log_immutable_js']),
  parse_log_vitest: new Set(['parse_log_vitest']),
  parse_log_karma: new Set(['parse_log_karma']),
};

/**
 * The instance's own parser when it reads the planned run's output (so its test names are the dataset's:
 * `OrderedMap > hashCode ...` for a jest-JSON row), else undefined (the plan's parser grades).
 */
export function datasetParserForPlannedRun(
  instance: { repo: string; log_parser?: string },
  plannedParser: string | undefined,
): string | undefined {
  const own = instance.log_parser ?? REPO_PARSERS[instance.repo];
  return own && plannedParser && READ_PLANNED_OUTPUT[plannedParser]?.has(own) ? own : undefined;
}

/** Repos SWE-bench grades fail-only (their parsers record only failures). */
export const FAIL_ONLY_REPOS: ReadonlySet<string> = new Set([
  'chartjs/Chart.js',
  'processing/p5.js',
  'markedjs/marked',
  'bpmn-io/bpmn-js',
  'openlayers/openlayers',
  'eslint/eslint',
]);

/**
 * Picks the parser name for an instance: an explicit override, else the instance's `log_parser` field, else
 * SWE-bench's repo map, else the environment spec's. Undefined when none applies.
 */
export function resolveLogParserName(
  instance: { repo: string; log_parser?: string },
  options: { override?: string; envSpecParser?: string } = {},
): string | undefined {
  for (const name of [
    options.override,
    instance.log_parser,
    REPO_PARSERS[instance.repo],
    options.envSpecParser,
  ]) {
    if (name && logParserFor(name)) return name;
  }
  return undefined;
}

/** Parsers users bring as modules (env spec `log_parser: "./my-parser.mjs"`), by their resolved path. */
const CUSTOM_PARSERS = new Map<string, LogParser>();

/** Makes `parser` known under `name` to grading and parser resolution (in this process). */
export function registerLogParser(name: string, parser: LogParser): void {
  CUSTOM_PARSERS.set(name, parser);
}

/** A parser by name: SWE-bench's and RepoForge's, then registered ones. */
export function logParserFor(name: string): LogParser | undefined {
  return Object.hasOwn(LOG_PARSERS, name) ? LOG_PARSERS[name] : CUSTOM_PARSERS.get(name);
}
