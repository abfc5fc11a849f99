import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jobIdFor } from './index.js';
import { decodeOutcome, decodeTask, encodeOutcome } from './queue/codec.js';
import { redisConnection } from './queue/connection.js';
import { priorities } from './queue/executor.js';

describe('queue helpers', () => {
  it('ranks longest expected first; unknown ones count as the mean and lose ties', () => {
    const p = priorities(
      ['a', 'b', 'c', 'd'],
      new Map([
        ['b', 100],
        ['d', 10],
      ]),
    );
    expect([...p.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id)).toEqual(['b', 'a', 'c', 'd']);
    expect(priorities(['x', 'y']).get('x')).toBe(1);
  });

  it('derives stable job ids and reads redis URLs', () => {
    expect(jobIdFor('run 1', 'a/b:c')).toBe('run_1__a_b_c');
    expect(redisConnection('redis://u:p%40ss@h:6380/2')).toEqual({
      host: 'h',
      port: 6380,
      db: 2,
      username: 'u',
      password: 'p@ss',
    });
    expect(() => redisConnection('http://x')).toThrow(/redis:\/\//);
  });

  it('round-trips outcomes and cuts huge logs to head and tail under the cap', () => {
    const outcome = {
      instance_id: 'i',
      status: 'completed' as const,
      timings: {},
      files: { 'report.json': '{}', 'test_output.txt': 'x'.repeat(50_000) },
    };
    expect(decodeOutcome(encodeOutcome(outcome))).toEqual(outcome);
    const random = Array.from({ length: 400_000 }, () => Math.random().toString(36).slice(2, 3)).join('');
    const big = { ...outcome, files: { ...outcome.files, 'test_output.txt': `HEAD${random}TAIL` } };
    const encoded = encodeOutcome(big, 100_000);
    expect(Buffer.from(encoded.gz, 'base64').byteLength).toBeLessThanOrEqual(100_000);
    const back = decodeOutcome(encoded).files['test_output.txt']!;
    expect(back.startsWith('HEAD')).toBe(true);
    expect(back.endsWith('TAIL')).toBe(true);
    expect(back).toMatch(/characters cut/);
  });

  it('refuses a queue result that is not an instance outcome, naming the field', () => {
    const forged = (value: unknown) => ({ v: 1, gz: gzipSync(JSON.stringify(value)).toString('base64') });
    expect(() => decodeOutcome({ v: 2, gz: '' })).toThrow(/not an encoded RepoForge outcome/);
    expect(() => decodeOutcome({ v: 1, gz: 'bm90IGd6aXA=' })).toThrow(/does not decode/);
    const bad = { instance_id: 'i', status: 'completed', timings: {}, files: { 'report.json': 7 } };
    expect(() => decodeOutcome(forged(bad))).toThrow(/files\["report\.json"\]|files\.report\.json/);
  });

  it('a queued evaluation job is checked before it runs: a bad field is named, a good task comes back whole', () => {
    const task = {
      runId: 'r',
      instance: {
        repo: 'acme/calc',
        instance_id: 'acme__calc-1',
        base_commit: 'abc',
        patch: '',
        test_patch: '',
        FAIL_TO_PASS: [],
        PASS_TO_PASS: [],
      },
      prediction: { instance_id: 'acme__calc-1', model_name_or_path: 'm', model_patch: 'diff' },
      spec: { image: 'img', install: [], install_key_files: [], pre_test: [], test_cmd: 'pytest' },
      parser: 'parse_log_pytest',
      timeoutMs: 1000,
      repeat: 1,
      gradeMode: 'strict',
    };
    expect(decodeTask(task)).toMatchObject({ runId: 'r', gradeMode: 'strict', timeoutMs: 1000 });
    expect(() => decodeTask({ ...task, gradeMode: 'lenient' })).toThrow(
      /not an evaluation task: .*gradeMode/,
    );
    expect(() => decodeTask({ ...task, instance: { ...task.instance, repo: 'nope' } })).toThrow(
      /instance\.repo/,
    );
  });
});
