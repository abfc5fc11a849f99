import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EnvSpecMap, Instance } from '@repoforge/schema';
import {
  baseImage,
  HOSTILE,
  makePythonSample,
  sampleEnvSpecs,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { instanceLogDir, RepoCache, runEvaluation } from './index.js';

const exec = promisify(execFile);
const skip = await skipWithoutDocker();

/** Containers of a run id, and host processes named like the hostile daemon. */
async function leftovers(runId: string): Promise<{ containers: number; daemons: number }> {
  const ps = await exec('docker', ['ps', '-aq', '--filter', `label=repoforge.run-id=${runId}`]);
  const daemons = await exec('pgrep', ['-f', HOSTILE.daemon]).then(
    (r) => r.stdout.split('\n').filter(Boolean).length,
    () => 0,
  );
  return { containers: ps.stdout.split('\n').filter(Boolean).length, daemons };
}

describe.skipIf(skip)("hostile code in a prediction and in the repo's tests (#17)", () => {
  it('reads no host secret, writes nothing outside the sandbox, leaves no daemon; a 100 MiB log stays capped', {
    timeout: 600_000,
  }, async () => {
    await using root = await tempDir('repoforge-hostile-');
    const py = await makePythonSample(join(root.path, 'repos'));
    await writeFile(HOSTILE.hostFile, 'the host secret');
    await rm(HOSTILE.hostWrite, { force: true });
    process.env.REPOFORGE_HOSTILE_SECRET = 'the env secret';
    const ids = ['acme__calc-hostile', 'acme__calc-flood', 'acme__calc-hostile-tests'];
    const runId = `hostile-${process.pid}`;
    const reportDir = join(root.path, 'out');
    try {
      const r = await runEvaluation({
        dataset: ids.map((id) =>
          // The third instance's own tests (its test_patch) are the attack; its prediction is the gold fix.
          Instance.parse({
            ...py.instance,
            instance_id: id,
            ...(id === ids[2] && { test_patch: py.hostileTestPatch }),
          }),
        ),
        predictions: [
          { instance_id: ids[0]!, model_name_or_path: 'm', model_patch: py.hostilePatch },
          { instance_id: ids[1]!, model_name_or_path: 'm', model_patch: py.floodPatch },
          { instance_id: ids[2]!, model_name_or_path: 'm', model_patch: py.instance.patch },
        ],
        runId,
        reportDir,
        envSpecs: EnvSpecMap.parse(sampleEnvSpecs(baseImage)),
        repoSource: new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false }),
      });
      for (const id of [ids[0]!, ids[2]!]) {
        const log = await readFile(
          join(instanceLogDir(reportDir, runId, 'm', id), 'test_output.txt'),
          'utf8',
        );
        // The attack ran (its markers are in the log) and found nothing of the host.
        expect(log).toContain('ENV:absent');
        expect(log).toContain('FILE:absent');
        expect(log).not.toMatch(/the (env|host) secret/);
      }
      expect(existsSync(HOSTILE.hostWrite)).toBe(false);
      expect(existsSync('/outside-testbed.txt')).toBe(false);
      // Containment does not cost the verdict: the fix is right, the attack is noise.
      // (The repo's hostile test_sub asserts, in the sandbox, that it found nothing: a PASS_TO_PASS.)
      expect(r.summary.resolved_ids).toContain(ids[0]);
      expect(r.summary.resolved_ids).toContain(ids[2]);
      expect(await leftovers(runId)).toEqual({ containers: 0, daemons: 0 });
      // A runaway log is cut at the cap (64 MiB) and graded on what was kept, never held whole.
      const flood = await stat(join(instanceLogDir(reportDir, runId, 'm', ids[1]!), 'test_output.txt'));
      expect(flood.size).toBeGreaterThan(32 * 1024 * 1024);
      expect(flood.size).toBeLessThan(65 * 1024 * 1024);
      expect(r.summary.resolved_ids).not.toContain(ids[1]);
    } finally {
      delete process.env.REPOFORGE_HOSTILE_SECRET;
      await rm(HOSTILE.hostFile, { force: true });
    }
  });
});
