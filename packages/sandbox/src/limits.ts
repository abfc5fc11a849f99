import { SandboxError } from './errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `512m`, `2g`, `1.5G`, `1048576` into bytes (binary units, like Docker's flags). */
export function parseBytes(value: number | string, field = 'size'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0)
      throw new SandboxError('LIMIT_UNSUPPORTED', `${field}: must be > 0`);
    return Math.floor(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*$/i.exec(value);
  if (!m) throw new SandboxError('LIMIT_UNSUPPORTED', `${field}: cannot read '${value}' (use e.g. 512m, 2g)`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}
