import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import type { RolloutGroup } from './engine.js';
import { RolloutOutput } from './rollout-output.js';

const group = (id: string, resolved: boolean) =>
  ({
    instance_id: id,
    samples: [{ instance_id: id, resolved, messages: [{ role: 'user', content: 'fix it' }], tools: [] }],
  }) as unknown as RolloutGroup;

describe('RolloutOutput (a rollout run that resumes)', () => {
  it('keeps committed groups and their SFT records, drops a cut line and orphan SFT records', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'g.jsonl');
    const sft = join(dir.path, 'sft.jsonl');
    const first = await RolloutOutput.open(out, { sft });
    expect(first.finished.size).toBe(0);
    await first.write(group('a', true));
    await first.write(group('b', false));
    // A kill -9 between the SFT records of c and its group line, and another mid-line.
    await appendFile(sft, `${JSON.stringify({ instance_id: 'c', messages: [], tools: [] })}\n`);
    await appendFile(out, '{"instance_id":"c","samples":[{"instan');
    await expect(RolloutOutput.open(out, { sft })).rejects.toMatchObject({ code: 'RUN_LOCKED' });
    await first.close();

    const again = await RolloutOutput.open(out, { sft });
    expect([...again.finished].sort()).toEqual(['a', 'b']);
    expect(again.dropped).toBe(1);
    const groups = (await readFile(out, 'utf8')).trim().split('\n');
    expect(groups.map((l) => JSON.parse(l).instance_id)).toEqual(['a', 'b']);
    const records = (await readFile(sft, 'utf8')).trim().split('\n');
    expect(records.map((l) => JSON.parse(l).instance_id)).toEqual(['a']);
    await again.write(group('c', true));
    await again.close();
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('honours an aborted signal', async () => {
    await using dir = await tempDir();
    await expect(
      RolloutOutput.open(join(dir.path, 'g.jsonl'), { signal: AbortSignal.abort() }),
    ).rejects.toThrow(/abort/i);
  });
});
