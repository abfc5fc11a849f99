import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvBuilder } from '@repoforge/deps';
import { Instance, parseRecords } from '@repoforge/schema';
import { baseImage, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { createDemoRepos } from './demo/index.js';
import { mineRepository } from './index.js';

describe.skipIf(await skipWithoutDocker())('mining real histories on Docker', () => {
  it('Python (pytest): real fixes become instances with exact F2P/P2P; flaky, test-only, docs-only and broken commits are judged', async () => {
    await using root = await tempDir();
    const { python } = await createDemoRepos(root.path, { fixes: 2, edgeCases: true });
    const out = join(root.path, 'py.jsonl');
    const r = await mineRepository({
      repo: python,
      repoName: 'demo/mathlib',
      out,
      runs: 5,
      workers: 2,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(r.funnel).toMatchObject({ commitsScanned: 10, candidates: 4, validated: 3 });
    expect(r.funnel.rejected).toEqual({
      root_commit: 1,
      no_test_change: 3,
      docs_only: 1,
      no_code_change: 1,
      no_f2p: 1,
    });
    // Every validated instance's statement is judged and counted.
    expect(Object.values(r.funnel.statements).reduce((a, b) => a + b, 0)).toBe(3);
    // Every stage a validated candidate goes through took time, and was counted.
    for (const stage of ['scan', 'draft', 'env', 'runs', 'gold'] as const)
      expect(r.funnel.stageMs[stage], stage).toBeGreaterThan(0);
    const [s1, s2, halve] = r.instances;
    expect(s1).toMatchObject({
      repo: 'demo/mathlib',
      FAIL_TO_PASS: ['tests/test_scale1.py::test_scale1_value'],
      // Only the test files the commit touches run (SWE-bench's directives), so PASS_TO_PASS is theirs.
      PASS_TO_PASS: ['tests/test_scale1.py::test_scale1_returns_int'],
    });
    expect(s1!.instance_id).toMatch(/^demo__mathlib-[0-9a-f]{7}$/);
    expect(s1!.problem_statement).toMatch(/^Fix scale1\(\) off by two\n\nscale1\(x\) returned/);
    expect(s2!.FAIL_TO_PASS).toEqual(['tests/test_scale2.py::test_scale2_value']);
    expect(halve!.FAIL_TO_PASS).toEqual(['tests/test_halve.py::test_halve_odd']);
    expect(halve!.PASS_TO_PASS).not.toContain('tests/test_halve.py::test_halve_set_order');
    expect((halve!.repoforge as { flaky_tests: string[] }).flaky_tests).toContain(
      'tests/test_halve.py::test_halve_set_order',
    );
    // Written as SWE-bench JSONL, and resumable: a second run validates nothing again.
    const back = parseRecords(await readFile(out, 'utf8'), Instance).records;
    expect(back.map((i) => i.instance_id)).toEqual(r.instances.map((i) => i.instance_id));
    const again = await mineRepository({
      repo: python,
      repoName: 'demo/mathlib',
      out,
      runs: 5,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(again.funnel.resumed).toBe(4);
    expect(again.funnel.beforeAfterRan).toBe(0);
    expect(again.funnel.stageMs.runs).toBe(0);
    expect(again.instances).toEqual(r.instances);
  });

  it('Node (npm deps, mocha): fixes become instances; the environment is shared across commits', async () => {
    await using root = await tempDir();
    const { node } = await createDemoRepos(root.path, { fixes: 2 });
    const r = await mineRepository({
      repo: node,
      repoName: 'demo/strings',
      out: join(root.path, 'node.jsonl'),
      runs: 2,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(r.funnel).toMatchObject({
      candidates: 2,
      validated: 2,
      envBuilt: 2,
      envRungs: { 'as planned': 2 },
    });
    expect(r.instances[0]).toMatchObject({
      FAIL_TO_PASS: ['repeat1 repeats 2 times'],
      PASS_TO_PASS: ['repeat1 returns a string'],
    });
    const images = new Set(r.instances.map((i) => (i.repoforge as { env_image: string }).env_image));
    expect(images.size).toBe(1);
    // The whole suite, when asked: PASS_TO_PASS then spans every test file.
    const whole = await mineRepository({
      repo: node,
      repoName: 'demo/strings',
      out: join(root.path, 'node-whole.jsonl'),
      runs: 2,
      wholeSuite: true,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(whole.instances[0]).toMatchObject({
      FAIL_TO_PASS: ['repeat1 repeats 2 times'],
      PASS_TO_PASS: ['repeat1 returns a string', 'shout uppercases'],
    });
    // --max-candidates: only the newest candidate is validated.
    const capped = await mineRepository({
      repo: node,
      repoName: 'demo/strings',
      out: join(root.path, 'node-capped.jsonl'),
      runs: 1,
      maxCandidates: 1,
      envBuilder: new EnvBuilder({ baseImage }),
    });
    expect(capped.funnel).toMatchObject({ candidates: 1, validated: 1 });
    expect(capped.instances.map((i) => i.instance_id)).toEqual([r.instances[1]!.instance_id]);
  });
});
