import { gunzipSync, gzipSync } from 'node:zlib';
import { EnvSpec, formatZodPath, Instance, InstanceReport, Prediction, TestStatus } from '@repoforge/schema';
import { z } from 'zod';
import { HarnessError } from '../errors.js';
import { LOG_FILES } from '../paths.js';
import { EnvProvenance } from '../provenance.js';
import type { InstanceOutcome } from '../run-instance.js';
import { RunRuntime } from '../runtime-probe.js';
import type { InstanceTask } from '../task.js';

/** Default cap on an outcome's compressed size in the queue (logs beyond it keep their head and tail). */
const DEFAULT_RESULT_CAP_BYTES = 16 * 1024 * 1024;

/** An outcome as it travels back through the queue: gzip'd JSON in base64. */
export interface EncodedOutcome {
  v: 1;
  gz: string;
}

function shrink(text: string, keep: number): string {
  if (text.length <= keep * 2) return text;
  return `${text.slice(0, keep)}\n\n[... ${text.length - keep * 2} characters cut to fit the queue's result cap ...]\n\n${text.slice(-keep)}`;
}

/** Encodes an outcome; when over `capBytes`, the test output is cut to its head and tail until it fits. */
export function encodeOutcome(outcome: InstanceOutcome, capBytes = DEFAULT_RESULT_CAP_BYTES): EncodedOutcome {
  let current = outcome;
  for (let keep = 4 * 1024 * 1024; ; keep = Math.floor(keep / 4)) {
    const gz = gzipSync(Buffer.from(JSON.stringify(current)));
    if (gz.byteLength <= capBytes || keep < 1024) return { v: 1, gz: gz.toString('base64') };
    const files = { ...outcome.files };
    for (const name of Object.keys(files))
      if (name.endsWith(LOG_FILES.testOutput)) files[name] = shrink(files[name]!, keep);
    current = { ...outcome, files };
  }
}

const Encoded = z.object({ v: z.literal(1), gz: z.string() });

/** An outcome as a worker sent it: checked before the producer writes any of it to disk. */
const Outcome = z.looseObject({
  instance_id: z.string(),
  status: z.enum(['completed', 'error']),
  errorClass: z
    .enum(['env_broken', 'tests_not_found', 'unservable', 'env_build_failed', 'timeout', 'error'])
    .optional(),
  report: InstanceReport.optional(),
  statusMap: z.record(z.string(), TestStatus).optional(),
  error: z.string().optional(),
  exitCode: z.number().optional(),
  timedOut: z.boolean().optional(),
  hardened: z.string().optional(),
  flaky: z.array(z.string()).optional(),
  testsSeen: z.object({ expected: z.number(), seen: z.number() }).optional(),
  excluded: z.array(z.string()).optional(),
  timings: z.record(z.string(), z.number()),
  runtime: RunRuntime.optional(),
  files: z.record(z.string(), z.string()),
});

/**
 * What crossed the queue (a job's data, a worker's result), checked against its schema: anything else (another
 * producer's job, a damaged or forged payload) is QUEUE_PAYLOAD_INVALID naming `what` it should be and the field.
 */
export function parseQueued<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new HarnessError(
    'QUEUE_PAYLOAD_INVALID',
    `a queue payload that is not ${what}: ${formatZodPath(issue.path) || '(root)'}: ${issue.message}`,
  );
}

/** Decodes what `encodeOutcome` produced; anything else (another producer's job, a damaged result) throws. */
export function decodeOutcome(encoded: unknown): InstanceOutcome {
  const e = Encoded.safeParse(encoded);
  if (!e.success) throw new HarnessError('QUEUE_PAYLOAD_INVALID', 'not an encoded RepoForge outcome');
  let value: unknown;
  try {
    value = JSON.parse(gunzipSync(Buffer.from(e.data.gz, 'base64')).toString('utf8'));
  } catch (error) {
    throw new HarnessError('QUEUE_PAYLOAD_INVALID', 'an encoded RepoForge outcome that does not decode', {
      cause: error,
    });
  }
  return parseQueued(Outcome, value, 'an instance outcome');
}

/** An evaluation job as it crosses the queue (`InstanceTask`): checked by the worker before anything runs. */
const QueuedTask = z.object({
  runId: z.string(),
  instance: Instance,
  prediction: Prediction,
  spec: EnvSpec,
  parser: z.string(),
  timeoutMs: z.number().positive(),
  repeat: z.number().int().positive(),
  gradeMode: z.enum(['strict', 'legacy']),
  ownEvalScript: z.string().optional(),
  wholeSuite: z.boolean().optional(),
  provenance: EnvProvenance.optional(),
  validateEnvs: z.boolean().optional(),
  minTestsSeen: z.number().min(0).max(1).optional(),
});

/** The task of a queued evaluation job; another producer's job or a damaged one throws, naming the field. */
export function decodeTask(data: unknown): InstanceTask {
  return parseQueued(QueuedTask, data, 'an evaluation task');
}
