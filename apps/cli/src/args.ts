import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParsedValues, UsageError } from './command.js';

/** A required file flag, resolved against `cwd`; a missing file is a usage error naming the flag. */
export function fileArg(values: ParsedValues, flag: string, cwd: string): string {
  const v = values[flag];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${flag} is required`);
  const p = resolve(cwd, v);
  if (!existsSync(p)) throw new UsageError(`--${flag}: no such file ${v}`);
  return p;
}

/** An optional positive number flag (`integer` to refuse fractions). */
export function numberArg(values: ParsedValues, flag: string, integer = false): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${String(v)}'`,
    );
  }
  return n;
}
