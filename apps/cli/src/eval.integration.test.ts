import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  baseImage,
  makePythonSample,
  sampleEnvSpecs,
  sharedFixture,
  sharedFixturesDir,
  skipLoudly,
  skipWithoutBwrap,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

const fixtures = sharedFixturesDir();

describe.skipIf(!fixtures && skipLoudly('shared fixtures absent: eval grade CLI test SKIPPED'))(
  'repoforge eval grade',
  () => {
    it('prints report.json exactly as SWE-bench wrote it', async () => {
      const logs = sharedFixture('swebench-logs', 'vexp-swebench-1774184993333');
      for (const id of readdirSync(logs).slice(0, 10)) {
        const t = bufferedIO();
        const code = await runCli(
          [
            'eval',
            'grade',
            '--dataset',
            sharedFixture('instances', 'swebench_verified_test.jsonl'),
            '--instance-id',
            id,
            '--log',
            join(logs, id, 'test_output.txt'),
          ],
          t.io,
        );
        expect(code).toBe(0);
        expect(t.stdout()).toBe(`${readFileSync(join(logs, id, 'report.json'), 'utf8')}\n`);
      }
    });
  },
);

describe('repoforge eval run: bad input', () => {
  it('names the file, line and field of a bad dataset row (exit 2)', async () => {
    await using dir = await tempDir();
    const good = {
      repo: 'a/b',
      instance_id: 'a__b-1',
      base_commit: 'x',
      patch: '',
      test_patch: '',
      FAIL_TO_PASS: '[]',
      PASS_TO_PASS: '[]',
    };
    const path = join(dir.path, 'data.jsonl');
    await writeFile(
      path,
      `${JSON.stringify(good)}\n${JSON.stringify({ ...good, instance_id: 'a__b-2', PASS_TO_PASS: 5 })}\n`,
    );
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(
      await runCli(
        ['eval', 'run', '--dataset', 'data.jsonl', '--predictions', 'gold', '--run-id', 'x'],
        t.io,
      ),
    ).toBe(2);
    expect(t.stderr()).toContain(`${path}:2: PASS_TO_PASS:`);
    const u = bufferedIO();
    expect(
      await runCli(
        ['eval', 'run', '--dataset', 'nope.jsonl', '--predictions', 'gold', '--run-id', 'x'],
        u.io,
      ),
    ).toBe(2);
    expect(u.stderr()).toMatch(/--dataset: no such file nope.jsonl/);
  });
});

describe.skipIf(await skipWithoutDocker())('repoforge eval run (docker)', () => {
  it('evaluates gold, prints the summary, reports unknown prediction ids', async () => {
    await using dir = await tempDir();
    const { instance, wrongPatch } = await makePythonSample(join(dir.path, 'repos'));
    await writeFile(join(dir.path, 'data.jsonl'), `${JSON.stringify(instance)}\n`);
    await writeFile(join(dir.path, 'env.json'), JSON.stringify(sampleEnvSpecs(baseImage)));
    const t = bufferedIO();
    t.io.cwd = dir.path;
    const common = ['--dataset', 'data.jsonl', '--env-spec', 'env.json', '--repo-cache', 'repos'];
    expect(await runCli(['eval', 'run', ...common, '--predictions', 'gold', '--run-id', 'g'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/Instances resolved: 1\n/);
    expect(t.stderr()).toMatch(/\[eval\] 1\/1 acme__calc-1: resolved/);
    const preds = [
      { instance_id: 'acme__calc-1', model_name_or_path: 'org/model', model_patch: wrongPatch },
      { instance_id: 'ghost-1', model_name_or_path: 'org/model', model_patch: 'x' },
    ];
    await writeFile(join(dir.path, 'preds.json'), JSON.stringify(preds));
    const u = bufferedIO();
    u.io.cwd = dir.path;
    expect(
      await runCli(
        ['eval', 'run', ...common, '--predictions', 'preds.json', '--run-id', 'w', '--json'],
        u.io,
      ),
    ).toBe(1);
    const out = JSON.parse(u.stdout());
    expect(out.summary.unresolved_ids).toEqual(['acme__calc-1']);
    expect(out.unknownPredictionIds).toEqual(['ghost-1']);
    expect(out.summaryFile).toBe(join(dir.path, 'org__model.w.json'));
    expect(u.stderr()).toMatch(/prediction for unknown instance ghost-1/);
  });
});

describe.skipIf(await skipWithoutBwrap())('repoforge eval run (local backend)', () => {
  it('plans the environment from the repo and evaluates without Docker; Docker-only options are usage errors', async () => {
    await using dir = await tempDir();
    const { instance } = await makePythonSample(join(dir.path, 'repos'));
    await writeFile(join(dir.path, 'data.jsonl'), `${JSON.stringify(instance)}\n`);
    await writeFile(join(dir.path, 'env.json'), JSON.stringify(sampleEnvSpecs(baseImage)));
    const common = ['eval', 'run', '--dataset', 'data.jsonl', '--repo-cache', 'repos', '--backend', 'local'];
    const t = bufferedIO();
    t.io.cwd = dir.path;
    expect(await runCli([...common, '--predictions', 'gold', '--run-id', 'g'], t.io), t.stderr()).toBe(0);
    expect(t.stdout()).toMatch(/Instances resolved: 1\n/);
    expect(t.stderr()).toMatch(/backend: local \(asked for\)/);
    const log = readFileSync(
      join(dir.path, 'logs/run_evaluation/g/gold/acme__calc-1/run_instance.log'),
      'utf8',
    );
    expect(log).toMatch(/in local sandbox/);
    const u = bufferedIO();
    u.io.cwd = dir.path;
    expect(
      await runCli([...common, '--predictions', 'gold', '--run-id', 'h', '--env-spec', 'env.json'], u.io),
    ).toBe(2);
    expect(u.stderr()).toMatch(/--env-spec needs the Docker backend/);
  });
});
