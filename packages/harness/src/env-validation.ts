import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { memoAsync } from '@repoforge/schema';
import { readJsonFile, writeFileAtomic } from '@repoforge/schema/node';
import { z } from 'zod';

/**
 * Whether an environment can pass an instance's gold patch: the record `eval run --validate-envs` and
 * `env validate` keep per environment (the image, i.e. the env spec's content hash) and instance. An
 * environment where gold does not resolve is `unservable` for that instance: its verdicts would be noise.
 */
export const EnvValidation = z.object({
  /** The environment image the gold patch ran in. */
  env: z.string(),
  instance_id: z.string(),
  resolved: z.boolean(),
  /** Why not, when not: the run's problem (no test ran, tests missing) or the failing tests. */
  reason: z.string().optional(),
  /** Expected tests that did not pass with the gold patch (at most 20). */
  failing: z.array(z.string()).default([]),
  validated_at: z.string(),
});
export type EnvValidation = z.infer<typeof EnvValidation>;

/** Where validations are kept: one JSON file per environment and instance. */
export class EnvValidations {
  private readonly inflight = new Map<string, Promise<EnvValidation>>();
  /** Gold runs this store made (validations not found saved): a second pass over the same envs adds none. */
  ran = 0;

  constructor(readonly dir: string) {}

  private fileOf(env: string, instanceId: string): string {
    const envKey = createHash('sha256').update(env).digest('hex').slice(0, 20);
    return join(this.dir, envKey, `${encodeURIComponent(instanceId)}.json`);
  }

  /** The saved validation, or undefined (none yet, or a damaged file: validated again). */
  async get(env: string, instanceId: string): Promise<EnvValidation | undefined> {
    return readJsonFile(this.fileOf(env, instanceId), EnvValidation).catch(() => undefined);
  }

  async put(record: EnvValidation): Promise<void> {
    await writeFileAtomic(this.fileOf(record.env, record.instance_id), JSON.stringify(record, null, 2));
  }

  /**
   * The validation of `env` for an instance: the saved one, else `run()` (once per process for concurrent
   * callers), saved. A run that throws saves nothing: an engine fault is no finding about the environment.
   */
  obtain(env: string, instanceId: string, run: () => Promise<EnvValidation>): Promise<EnvValidation> {
    return memoAsync(this.inflight, `${env}\0${instanceId}`, async () => {
      const saved = await this.get(env, instanceId);
      if (saved) return saved;
      const fresh = await run();
      this.ran++;
      await this.put(fresh);
      return fresh;
    });
  }
}
