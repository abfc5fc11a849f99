import { gunzipSync, gzipSync } from 'node:zlib';
import { LOG_FILES } from '../paths.js';
import type { InstanceOutcome } from '../run-instance.js';

/** Default cap on an outcome's compressed size in the queue (logs beyond it keep their head and tail). */
export const DEFAULT_RESULT_CAP_BYTES = 16 * 1024 * 1024;

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

/** Decodes what `encodeOutcome` produced. */
export function decodeOutcome(encoded: EncodedOutcome): InstanceOutcome {
  if (encoded?.v !== 1 || typeof encoded.gz !== 'string') throw new Error('not an encoded RepoForge outcome');
  return JSON.parse(gunzipSync(Buffer.from(encoded.gz, 'base64')).toString('utf8')) as InstanceOutcome;
}
