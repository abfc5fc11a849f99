export {
  exitCodeFromLog,
  type GradeOptions,
  type GradeResult,
  getEvalTestsReport,
  getLogsEval,
  getResolutionStatus,
  gradeLog,
  MARKERS,
  type ResolvedStatus,
} from './grading.js';
export { type JUnitCase, parseJUnitXml, pytestJUnitName } from './parsers/junit.js';
export { FAIL_ONLY_REPOS, LOG_PARSERS, REPO_PARSERS, resolveLogParserName } from './parsers/registry.js';
export type { LogParser, ParseContext } from './parsers/types.js';
