import { SandboxError } from '@repoforge/sandbox';
import { Instance } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import {
  GroupServer,
  RolloutEngine,
  ToolExecutor,
  toSftRecord,
  trimHistory,
  truncateMiddle,
} from './index.js';

const inst = (id: string, repo = 'o/r') =>
  Instance.parse({
    repo,
    instance_id: id,
    base_commit: 'b',
    patch: '',
    test_patch: '',
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
  });
const traj = (id: string, sample: number, reward = 1, version: number | string = 0) => ({
  instance_id: id,
  sample_index: sample,
  messages: [],
  model_patch: 'diff',
  reward,
  resolved: reward === 1,
  stop_reason: 'finish' as const,
  policy_version: version,
  metadata: {},
});

describe('rollout engine scheduling', () => {
  it('emits a group as soon as its last sample is done, not when a batch is', async () => {
    const delays: Record<string, number> = { slow: 300, fast: 10 };
    const engine = new RolloutEngine({
      samples: 2,
      concurrency: 4,
      runSample: async (i, s) => {
        await new Promise((r) => setTimeout(r, delays[i.instance_id.split('-')[0]!]));
        return traj(i.instance_id, s);
      },
    });
    const order: string[] = [];
    for await (const g of engine.run([inst('slow-1'), inst('fast-1')]))
      order.push(`${g.instance_id}:${g.samples.map((s) => s.sample_index).join(',')}`);
    expect(order).toEqual(['fast-1:0,1', 'slow-1:0,1']);
    expect(engine.stats).toMatchObject({ done: 4, groups: 2, failed: 0, rewardSum: 4 });
  });

  it('runs a sample its engine lost again, and leaves an instance whose engine stays away unwritten', async () => {
    const lost = () => new SandboxError('SANDBOX_LOST', 'the container went away (engine restarted?)');
    const runs: string[] = [];
    const engine = new RolloutEngine({
      samples: 2,
      concurrency: 2,
      engineRetries: 2,
      engineRetryDelayMs: 1,
      runSample: async (i, s) => {
        runs.push(`${i.instance_id}:${s}`);
        // once lost: back after a retry; gone: lost every time; bad: the episode's own failure.
        if (i.instance_id === 'once-1' && s === 0 && runs.filter((r) => r === 'once-1:0').length === 1)
          throw lost();
        if (i.instance_id === 'gone-1' && s === 1) throw new Error('exec failed', { cause: lost() });
        if (i.instance_id === 'bad-1' && s === 0) throw new Error('policy exploded');
        return traj(i.instance_id, s);
      },
    });
    const groups = [];
    for await (const g of engine.run([inst('once-1'), inst('gone-1'), inst('bad-1')])) groups.push(g);
    const byId = new Map(groups.map((g) => [g.instance_id, g.samples]));
    expect([...byId.keys()].sort()).toEqual(['bad-1', 'once-1']);
    // The lost sample was run again, not graded as a failure.
    expect(byId.get('once-1')!.map((t) => t.stop_reason)).toEqual(['finish', 'finish']);
    expect(runs.filter((r) => r === 'once-1:0')).toHaveLength(2);
    // Lost 1 + 2 retries times: no group (a rerun does it), its other sample dropped with it.
    expect(runs.filter((r) => r === 'gone-1:1')).toHaveLength(3);
    expect(byId.get('bad-1')!.map((t) => t.stop_reason)).toEqual(['error', 'finish']);
    expect(engine.stats).toMatchObject({ retried: 3, unfinished: 1, failed: 1, groups: 2 });
  });

  it("tools hand the model a command's failure, but not a lost sandbox", async () => {
    const sandbox = (error: Error) => ({ exec: async () => Promise.reject(error) }) as never;
    const failed = await new ToolExecutor(sandbox(new Error('bad cwd')), '/w').run('execute_bash', {
      command: 'ls',
    });
    expect(failed.output).toMatch(/^Error: bad cwd/);
    const gone = new ToolExecutor(sandbox(new SandboxError('SANDBOX_LOST', 'gone')), '/w');
    await expect(gone.run('execute_bash', { command: 'ls' })).rejects.toThrow(/gone/);
  });

  it('regenerates samples older than the staleness bound, and records failures without stopping others', async () => {
    let version = 0;
    let calls = 0;
    const engine = new RolloutEngine({
      samples: 3,
      concurrency: 1,
      maxStaleness: 0,
      policyVersion: () => version,
      runSample: async (i, s, v) => {
        calls++;
        if (calls === 1) version = 1; // the trainer stepped while the first sample ran
        if (i.instance_id === 'bad-1' && s === 1) throw new Error('policy exploded');
        return traj(i.instance_id, s, 1, v);
      },
    });
    const groups = [];
    for await (const g of engine.run([inst('ok-1'), inst('bad-1')])) groups.push(g);
    expect(engine.stats.resampled).toBe(1);
    // The regenerated sample runs next (its group is waiting), not after the rest of the queue.
    expect(groups.map((g) => g.instance_id)).toEqual(['ok-1', 'bad-1']);
    const ok = groups.find((g) => g.instance_id === 'ok-1')!;
    expect(ok.samples.map((s) => s.policy_version)).toEqual([1, 1, 1]);
    const bad = groups.find((g) => g.instance_id === 'bad-1')!;
    expect(bad.samples.map((s) => s.stop_reason)).toEqual(['finish', 'error', 'finish']);
    expect(bad.samples[1]!.error).toMatch(/policy exploded/);
  });
});

describe('trainer interfaces', () => {
  it('long-polls groups over HTTP', async () => {
    const server = new GroupServer();
    const url = await server.listen();
    try {
      const pending = fetch(`${url}/groups?max=2&wait=5`).then((r) => r.json());
      setTimeout(() => server.push({ instance_id: 'a', samples: [] }), 50);
      expect(await pending).toEqual([{ instance_id: 'a', samples: [] }]);
      const t = Date.now();
      expect(await fetch(`${url}/groups?wait=0.2`).then((r) => r.json())).toEqual([]);
      expect(Date.now() - t).toBeGreaterThanOrEqual(150);
    } finally {
      await server.close();
    }
  });

  it('exports only resolved trajectories for SFT; trims long histories; truncates the middle of output', () => {
    expect(toSftRecord({ ...traj('a', 0), tools: [] })).toMatchObject({ instance_id: 'a' });
    expect(toSftRecord(traj('a', 0, 0))).toBeUndefined();
    const msgs = [
      { role: 'system' as const, content: 's' },
      { role: 'user' as const, content: 'u' },
      ...Array.from({ length: 5 }, (_, i) => [
        { role: 'assistant' as const, content: `a${i}` },
        { role: 'tool' as const, content: `t${i}`, tool_call_id: `${i}` },
      ]).flat(),
    ];
    const trimmed = trimHistory(msgs, 2);
    expect(trimmed.map((m) => m.content)).toEqual([
      's',
      'u',
      '[3 earlier turns omitted]',
      'a3',
      't3',
      'a4',
      't4',
    ]);
    const out = truncateMiddle(`HEAD${'x'.repeat(100)}TAIL`, 20);
    expect(out.startsWith('HEAD')).toBe(true);
    expect(out.endsWith('TAIL')).toBe(true);
    expect(out).toMatch(/characters cut/);
  });
});

describe('rollout engine faults', () => {
  it('a repo that cannot be cloned and an environment that cannot be built fail their samples, not the run', async () => {
    const engine = new RolloutEngine({
      policy: undefined as never,
      repoSource: {
        resolve: async (repo) => {
          if (repo === 'gone/repo') throw new Error('could not clone gone/repo');
          return { gitdir: '', cache: {} };
        },
      },
      envFor: async () => {
        throw new Error('environment build failed');
      },
      pool: undefined as never,
      samples: 2,
      concurrency: 2,
    });
    const groups = [];
    for await (const g of engine.run([inst('a-1', 'gone/repo'), inst('b-1')])) groups.push(g);
    expect(groups.map((g) => g.instance_id).sort()).toEqual(['a-1', 'b-1']);
    const errors = groups.flatMap((g) => g.samples.map((s) => s.error));
    expect(errors.filter((e) => /could not clone/.test(String(e)))).toHaveLength(2);
    expect(errors.filter((e) => /environment build failed/.test(String(e)))).toHaveLength(2);
    expect(engine.stats.failed).toBe(4);
  });

  // Each sample would run a minute: the run ending at all (within the test timeout) shows the abort took.
  it('an abort ends the run promptly and starts nothing more', async () => {
    const ac = new AbortController();
    let started = 0;
    const engine = new RolloutEngine({
      samples: 4,
      concurrency: 2,
      runSample: (i, s, _v, signal) =>
        new Promise((resolve, reject) => {
          started++;
          const t = setTimeout(() => resolve(traj(i.instance_id, s, 0)), 60_000);
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    });
    setTimeout(() => ac.abort(new Error('stop')), 50);
    const consume = async () => {
      for await (const _ of engine.run([inst('a-1'), inst('b-1'), inst('c-1')], ac.signal));
    };
    await expect(consume()).rejects.toThrow('stop');
    expect(started).toBe(2);
  });
});
