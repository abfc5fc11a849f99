import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  fixCalcTurn,
  makePythonSample,
  redisUrl,
  serveChat,
  skipWithoutDocker,
  skipWithoutRedis,
  tempDir,
} from '@repoforge/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';
import { cliProcesses, exited, type CliProcess as Proc, until } from './test-procs.js';

const skip = (await skipWithoutRedis()) || (await skipWithoutDocker());
const { cli, killAll } = cliProcesses();
afterEach(killAll);

/** `[worker] start acme__calc-r1#0 (rollout)` -> `acme__calc-r1#0`. */
const started = (p: Proc) =>
  p.err.filter((l) => l.startsWith('[worker] start ')).map((l) => l.split(' ')[2]!);
const finished = (p: Proc) =>
  p.err.filter((l) => l.startsWith('[worker] done ')).map((l) => l.split(' ')[2]!);

describe.skipIf(skip)('repoforge rollout run --queue / rollout worker (processes, Docker, Redis)', () => {
  it('two workers, one SIGKILLed mid-sample: complete groups, the killed sample rerun by the other', async () => {
    await using dir = await tempDir();
    const { instance } = await makePythonSample(join(dir.path, 'repos'));
    const ids = ['acme__calc-r1', 'acme__calc-r2'];
    await writeFile(
      join(dir.path, 'd.jsonl'),
      ids.map((id) => JSON.stringify({ ...instance, instance_id: id })).join('\n'),
    );
    // Each turn answered after 1.5 s (a model's latency), so a worker can be killed in the middle of a sample.
    await using policy = await serveChat(async (body) => {
      await sleep(1500);
      return fixCalcTurn(body);
    });
    const queue = `${redisUrl}/4`;
    const worker = () =>
      cli(['rollout', 'worker', '--queue', queue, '--repo-cache', 'repos', '--lock-timeout', '4'], dir.path);
    const [a, b] = [worker(), worker()];
    await until(() => [a, b].every((w) => w.err.some((l) => l.includes('ready'))));
    // Kill a worker in the middle of a sample: once episodes are talking to the policy, one with a sample in hand.
    let killed: Proc | undefined;
    let killedSample = '';
    const killer = setInterval(() => {
      if (killed || policy.requests.length === 0) return;
      for (const w of [a, b]) {
        const inHand = started(w).filter((s) => !finished(w).includes(s));
        if (!killed && inHand.length) {
          killed = w;
          killedSample = inHand[0]!;
          w.kill('SIGKILL');
        }
      }
    }, 50);
    const t = bufferedIO();
    t.io.cwd = dir.path;
    const code = await runCli(
      [
        'rollout',
        'run',
        '--dataset',
        'd.jsonl',
        '--policy-url',
        policy.url,
        '--model',
        'scripted',
        '--samples',
        '2',
        '--concurrency',
        '4',
        '--queue',
        queue,
        '--out',
        'g.jsonl',
      ],
      t.io,
    ).finally(() => clearInterval(killer));
    expect(code, t.stderr()).toBe(0);
    expect(t.stderr()).toContain('episodes: rollout workers via');
    const groups = (await readFile(join(dir.path, 'g.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { instance_id: string; samples: { sample_index: number; reward: number }[] },
      );
    expect(groups.map((g) => g.instance_id).sort()).toEqual(ids);
    for (const g of groups) {
      expect(g.samples.map((s) => s.sample_index)).toEqual([0, 1]);
      expect(g.samples.map((s) => s.reward)).toEqual([1, 1]);
    }
    expect(killed).toBeDefined();
    const survivor = killed === a ? b : a;
    // The sample the killed worker had in hand was run again, to the end, by the other one.
    expect(finished(survivor)).toContain(killedSample);
    expect(finished(killed!)).not.toContain(killedSample);
    // A new worker first removes the dead one's sandboxes; SIGTERM drains it and exits 0.
    const next = worker();
    await until(() => next.err.some((l) => l.includes('ready')));
    survivor.kill('SIGTERM');
    next.kill('SIGTERM');
    expect(await exited(survivor)).toBe(0);
    expect(await exited(next)).toBe(0);
  }, 900_000);
});
