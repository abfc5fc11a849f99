import type { TestStatus, TestStatusMap } from '@repoforge/schema';
import { XMLParser } from 'fast-xml-parser';

/** Attributes of one `<testcase>`. */
export interface JUnitCase {
  classname: string;
  name: string;
  file?: string;
}

/** pytest's naming: `path/to/test_file.py::Class::test` from classname `path.to.test_file.Class` + file. */
export function pytestJUnitName(c: JUnitCase): string {
  if (c.file) {
    const mod = c.file.replace(/\.py$/, '').replaceAll('/', '.');
    const rest = c.classname.startsWith(mod) ? c.classname.slice(mod.length).replace(/^\./, '') : '';
    return [c.file, ...(rest ? rest.split('.') : []), c.name].join('::');
  }
  return `${c.classname}::${c.name}`;
}

/** One `<testcase>` as fast-xml-parser reads it (attributes prefixed `@_`). */
type XmlCase = Record<string, unknown> & {
  '@_classname'?: string;
  '@_name'?: string;
  '@_file'?: string;
};

const XML = new XMLParser({
  ignoreAttributes: false,
  // Every element that can repeat comes back as a list, so one testcase or one suite reads like many.
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  processEntities: true,
  htmlEntities: true,
});

/** Every `<testcase>` under a node, at any depth (suites nest in some reporters). */
function* testcases(node: unknown): Generator<XmlCase> {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const items = Array.isArray(value) ? value : [value];
    if (key === 'testcase') {
      for (const c of items) if (c && typeof c === 'object') yield c as XmlCase;
    } else for (const item of items) yield* testcases(item);
  }
}

const text = (v: unknown): string =>
  v === undefined || v === null
    ? ''
    : typeof v === 'object'
      ? Object.values(v as object)
          .map(text)
          .join(' ')
      : String(v);

/**
 * Reads JUnit XML (pytest --junitxml, jest-junit, mocha-junit-reporter, go-junit-report, ...) into a status
 * map with a real XML parser: a structured source that prints no forgeable lines (a CDATA section holding
 * `</testcase>` is text, not markup). `<failure>` -> FAILED, `<error>` -> ERROR, `<skipped>` -> SKIPPED (XFAIL
 * when its type or message says xfail), else PASSED. Malformed XML yields what it could read.
 */
export function parseJUnitXml(
  xml: string,
  nameOf: (c: JUnitCase) => string = (c) => `${c.classname}::${c.name}`,
): TestStatusMap {
  const map: TestStatusMap = {};
  let doc: unknown;
  try {
    doc = XML.parse(xml);
  } catch {
    return map;
  }
  for (const c of testcases(doc)) {
    let status: TestStatus = 'PASSED';
    if (c.failure) status = 'FAILED';
    else if (c.error) status = 'ERROR';
    else if (c.skipped) status = /xfail/i.test(text(c.skipped)) ? 'XFAIL' : 'SKIPPED';
    map[nameOf({ classname: c['@_classname'] ?? '', name: c['@_name'] ?? '', file: c['@_file'] })] = status;
  }
  return map;
}

/** Vitest's JUnit names match its verbose lines: `file > suite > test`. */
const vitestJUnitName = (c: JUnitCase) => `${c.classname} > ${c.name}`;

/** The JUnit naming that matches a text parser's test names, so both sources name a test alike. */
export function junitNamerFor(parser: string): (c: JUnitCase) => string {
  if (
    parser.startsWith('parse_log_pytest') ||
    [
      'parse_log_astropy',
      'parse_log_scikit',
      'parse_log_sphinx',
      'parse_log_flask',
      'parse_log_xarray',
      'parse_log_requests',
      'parse_log_pylint',
    ].includes(parser)
  )
    return pytestJUnitName;
  if (parser === 'parse_log_vitest') return vitestJUnitName;
  return (c) => `${c.classname}::${c.name}`;
}
