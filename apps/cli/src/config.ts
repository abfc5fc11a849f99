import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeUtf8File, parseJsonDocument } from '@repoforge/schema';
import { z } from 'zod';
import { type Command, GLOBAL_OPTIONS, UsageError } from './command.js';

/** Every option name any command takes: the keys a config file may set. */
function optionNames(cmd: Command, out = new Set<string>()): Set<string> {
  for (const k of Object.keys(cmd.options ?? {})) out.add(k);
  for (const s of cmd.subcommands ?? []) optionNames(s, out);
  return out;
}

const Value = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

/**
 * Loads `repoforge.config.json` (or --config FILE): option names to default values. Unknown keys are errors
 * naming the key (typos do not pass silently).
 */
export function loadConfig(
  root: Command,
  cwd: string,
  explicit?: string,
): Record<string, string | boolean | string[]> {
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, 'repoforge.config.json');
  if (!existsSync(path)) {
    if (explicit) throw new UsageError(`--config: no such file ${explicit}`);
    return {};
  }
  const known = optionNames(root);
  for (const k of Object.keys(GLOBAL_OPTIONS)) known.delete(k);
  const schema = z.strictObject(Object.fromEntries([...known].map((k) => [k, Value.optional()])), {
    error: (i) => (i.code === 'unrecognized_keys' ? 'not an option of any command' : undefined),
  });
  const parsed = parseJsonDocument(decodeUtf8File(readFileSync(path), path), schema, { source: path });
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [
      k,
      typeof v === 'number' ? String(v) : (v as string | boolean | string[]),
    ]),
  );
}

/** REPOFORGE_<OPTION> environment variables (e.g. REPOFORGE_REPO_CACHE) as option values. */
export function envValues(
  env: Record<string, string | undefined>,
  names: Iterable<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = env[`REPOFORGE_${n.toUpperCase().replaceAll('-', '_')}`];
    if (v !== undefined) out[n] = v;
  }
  return out;
}
