import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fixCalcTurn,
  makePythonSample,
  serveChat,
  skipWithoutBwrap,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe('repoforge rollout run', () => {
  it('needs a policy endpoint, a model and an output (exit 2)', async () => {
    const t = bufferedIO();
    expect(await runCli(['rollout', 'run', '--out', 'x.jsonl'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/--policy-url/);
  });
});

/** A scripted policy fixes the sample through the tools; both samples get reward 1 from the harness. */
async function rollout(backend: 'docker' | 'local') {
  await using dir = await tempDir();
  const { instance } = await makePythonSample(join(dir.path, 'repos'));
  await writeFile(join(dir.path, 'd.jsonl'), JSON.stringify(instance));
  await using chat = await serveChat(fixCalcTurn);
  const t = bufferedIO();
  t.io.cwd = dir.path;
  const code = await runCli(
    [
      'rollout',
      'run',
      '--dataset',
      'd.jsonl',
      '--policy-url',
      chat.url,
      '--model',
      'scripted',
      '--samples',
      '2',
      '--concurrency',
      '2',
      '--repo-cache',
      'repos',
      '--out',
      'g.jsonl',
      '--sft-out',
      'sft.jsonl',
      '--backend',
      backend,
    ],
    t.io,
  );
  expect(code, t.stderr()).toBe(0);
  const group = JSON.parse(await readFile(join(dir.path, 'g.jsonl'), 'utf8'));
  expect(group.samples.map((s: { reward: number }) => s.reward)).toEqual([1, 1]);
  expect((await readFile(join(dir.path, 'sft.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  expect(t.stdout()).toMatch(/mean reward 1\.000/);
  expect(t.stderr()).toContain(`backend: ${backend}`);
}

describe.skipIf(await skipWithoutDocker())('repoforge rollout run (docker, scripted policy server)', () => {
  it('writes groups with rewards and SFT records of the resolved ones', () => rollout('docker'));
});

describe.skipIf(await skipWithoutBwrap())(
  'repoforge rollout run (local backend, scripted policy server)',
  () => {
    it('the agent edits /testbed and is rewarded without Docker', () => rollout('local'));
  },
);
