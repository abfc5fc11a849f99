import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { acquireRunLock, type RunLock, writeFileAtomic } from '@repoforge/schema/node';
import { z } from 'zod';
import type { RolloutGroup } from './engine.js';
import { groupLine, toSftRecord } from './trainer-io.js';

const GroupLine = z.looseObject({ instance_id: z.string(), samples: z.array(z.unknown()) });
const SftLine = z.looseObject({ instance_id: z.string() });

/** Lines of a JSONL file that parse and validate (a line cut by a kill -9 mid-append does not). */
async function validLines<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<{ lines: string[]; dropped: number; values: z.output<S>[] }> {
  const lines: string[] = [];
  const values: z.output<S>[] = [];
  let dropped = 0;
  if (!existsSync(path)) return { lines, values, dropped };
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    let parsed: z.ZodSafeParseResult<z.output<S>> | undefined;
    try {
      parsed = schema.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) {
      lines.push(line);
      values.push(parsed.data);
    } else dropped++;
  }
  return { lines, values, dropped };
}

const joinLines = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');

/**
 * The groups JSONL (and optional SFT JSONL) of a rollout run, resumable after a crash or kill -9: opening it
 * holds a lock on the output (a second run on it refuses with `RUN_LOCKED`), keeps every complete group line
 * (a line cut mid-write is dropped, its instance runs again) and the SFT records of those groups only, and
 * says which instances are finished. Each group's SFT records are written before its group line, so the group
 * line is what commits a group.
 */
export class RolloutOutput {
  private constructor(
    readonly out: string,
    readonly sft: string | undefined,
    /** Instances whose group is already written. */
    readonly finished: ReadonlySet<string>,
    /** Damaged lines dropped on open (their instances run again). */
    readonly dropped: number,
    private readonly lock: RunLock,
  ) {}

  static async open(
    out: string,
    options: { sft?: string; signal?: AbortSignal } = {},
  ): Promise<RolloutOutput> {
    await mkdir(dirname(out), { recursive: true });
    const lock = await acquireRunLock(`${out}.lock`, out);
    try {
      options.signal?.throwIfAborted();
      const groups = await validLines(out, GroupLine);
      const finished = new Set(groups.values.map((g) => g.instance_id));
      await writeFileAtomic(out, joinLines(groups.lines), options);
      let dropped = groups.dropped;
      if (options.sft) {
        await mkdir(dirname(options.sft), { recursive: true });
        const sft = await validLines(options.sft, SftLine);
        const kept = sft.lines.filter((_, i) => finished.has(sft.values[i]!.instance_id));
        dropped += sft.dropped;
        await writeFileAtomic(options.sft, joinLines(kept), options);
      }
      return new RolloutOutput(out, options.sft, finished, dropped, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Appends a finished group: its SFT records first, then the group line that commits it. */
  async write(group: RolloutGroup): Promise<void> {
    if (this.sft) {
      const records = group.samples.map(toSftRecord).filter((r) => r !== undefined);
      if (records.length) await appendFile(this.sft, joinLines(records.map((r) => JSON.stringify(r))));
    }
    await appendFile(this.out, groupLine(group));
  }

  async close(): Promise<void> {
    await this.lock.release();
  }
}
