import type { TestStatus, TestStatusMap } from '@repoforge/schema';

/** Attributes of one `<testcase>`. */
export interface JUnitCase {
  classname: string;
  name: string;
  file?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return ENTITIES[e] ?? all;
  });
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
    out[m[1]!] = decode(m[3] ?? m[4] ?? '');
  return out;
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

/**
 * Reads JUnit XML (pytest --junitxml, jest-junit, mocha-junit-reporter, go-junit-report, ...) into a status
 * map: a structured source that prints no forgeable lines. `<failure>` -> FAILED, `<error>` -> ERROR,
 * `<skipped>` -> SKIPPED (XFAIL when its message says xfail), else PASSED.
 */
export function parseJUnitXml(
  xml: string,
  nameOf: (c: JUnitCase) => string = (c) => `${c.classname}::${c.name}`,
): TestStatusMap {
  const map: TestStatusMap = {};
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const a = attrs(m[1]!);
    const body = m[3] ?? '';
    let status: TestStatus = 'PASSED';
    if (/<failure\b/.test(body)) status = 'FAILED';
    else if (/<error\b/.test(body)) status = 'ERROR';
    else if (/<skipped\b/.test(body))
      status = /<skipped\b[^>]*\btype="pytest\.xfail"|xfail/i.test(body) ? 'XFAIL' : 'SKIPPED';
    map[nameOf({ classname: a.classname ?? '', name: a.name ?? '', file: a.file })] = status;
  }
  return map;
}

/** Vitest's JUnit names match its verbose lines: `file > suite > test`. */
export const vitestJUnitName = (c: JUnitCase) => `${c.classname} > ${c.name}`;

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
