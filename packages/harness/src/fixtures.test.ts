import { readdirSync, readFileSync } from 'node:fs';
import { formatInstanceReportFile, Instance, InstanceReportFile, parseRecords } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { FAIL_ONLY_REPOS, gradeLog, resolveLogParserName } from './index.js';

const fixtures = sharedFixturesDir();
const logsDir = fixtures && sharedFixture('swebench-logs', 'vexp-swebench-1774184993333');

describe.skipIf(!fixtures && skipLoudly('shared fixtures absent: the 98-log regrading test is SKIPPED'))(
  'official SWE-bench verdicts',
  () => {
    // The describe body runs even when skipped: nothing here may touch the fixtures unless they exist.
    const { records } = fixtures
      ? parseRecords(
          readFileSync(sharedFixture('instances', 'swebench_verified_test.jsonl'), 'utf8'),
          Instance,
        )
      : { records: [] };
    const byId = new Map(records.map((r) => [r.instance_id, r]));
    const ids = logsDir ? readdirSync(logsDir).sort() : [];

    it.each(['strict', 'legacy'] as const)(
      'regrades all 98 logs and matches every report.json exactly (%s mode)',
      (mode) => {
        expect(ids).toHaveLength(98);
        const mismatches: string[] = [];
        let resolved = 0;
        for (const id of ids) {
          const instance = byId.get(id)!;
          const log = readFileSync(`${logsDir}/${id}/test_output.txt`, 'utf8');
          const expectedText = readFileSync(`${logsDir}/${id}/report.json`, 'utf8');
          const expected = InstanceReportFile.parse(JSON.parse(expectedText))[id]!;
          const parser = resolveLogParserName(instance)!;
          const { report } = gradeLog({
            instance,
            modelPatch: 'patch',
            log,
            parser,
            options: { mode, failOnly: FAIL_ONLY_REPOS.has(instance.repo) },
          });
          if (report.resolved) resolved++;
          expect(report.resolved, id).toBe(expected.resolved);
          // Byte-identical report.json, not only equal verdicts.
          if (formatInstanceReportFile(id, report) !== expectedText) mismatches.push(id);
        }
        expect(mismatches).toEqual([]);
        expect(resolved).toBe(73);
      },
    );
  },
);
