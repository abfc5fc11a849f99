import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultModel } from '@repoforge/spice';
import { makeGitRepo, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

/**
 * Fuzz pass over every reader of user or resume files (#17): dataset, predictions, env spec, config, SPICE
 * labels and offline model, the miner's resume state. Each seed file is damaged in seeded random ways
 * (truncation, byte flips, invalid UTF-8, wrong types, missing and huge fields, odd top-level values) and
 * read through the real CLI. Whatever the damage: exit 0 (still valid) or 2, and on 2 exactly one stderr
 * line naming the file and a line number, no stack trace, and no file written.
 */

const row = (id: string) => ({
  repo: 'o/r',
  instance_id: id,
  base_commit: 'abc',
  patch: 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n',
  test_patch: '',
  problem_statement: 'x should be 2',
  FAIL_TO_PASS: '["t"]',
  PASS_TO_PASS: '[]',
  version: '1.0',
});
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** mulberry32: a seeded PRNG, so a failing case is reproducible from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Every [parent, key] of a JSON value, to aim a structural mutation at. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  const children: [string | number, unknown][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [key, child] of children) {
    out.push([v as Record<string, unknown>, key]);
    slots(child, out);
  }
  return out;
}

/** One JSON value (a JSONL row or the whole document) changed in place: a wrong type, a deletion, a huge string. */
function mutateValue(r: Rand, value: unknown): unknown {
  const all = slots(value);
  if (!all.length) return pick(r, [null, 42, 'x', []]);
  const [parent, key] = pick(r, all);
  const how = r();
  if (how < 0.35)
    (parent as Record<string, unknown>)[key] = pick(r, [42, -1.5, 'x', null, true, [], {}, [1, 'a']]);
  else if (how < 0.6 && !Array.isArray(parent)) delete parent[key as string];
  else if (how < 0.75) (parent as Record<string, unknown>)[key] = 'A'.repeat(2_000_000);
  else (parent as Record<string, unknown>)[key] = { nested: (parent as Record<string, unknown>)[key] };
  return value;
}

const ODD_FILES = [
  '',
  'null',
  '42',
  '"x"',
  '[]',
  '{}',
  '[1,2',
  '\u0000',
  '['.repeat(50_000),
  '{"a":1}{"b":2}',
];

function isOneDocument(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The seed text damaged one way, chosen by `r`. */
function damage(r: Rand, seed: string): Buffer {
  const bytes = Buffer.from(seed);
  const how = r();
  if (how < 0.2) return bytes.subarray(0, Math.floor(r() * bytes.length));
  if (how < 0.35) {
    const out = Buffer.from(bytes);
    for (let n = 1 + Math.floor(r() * 3); n > 0; n--)
      out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
    return out;
  }
  if (how < 0.45) {
    const at = Math.floor(r() * bytes.length);
    return Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from([pick(r, [0xff, 0xc3, 0xed, 0x80])]),
      bytes.subarray(at),
    ]);
  }
  if (how < 0.5) return Buffer.from(pick(r, ODD_FILES));
  const lines = seed.split('\n');
  if (isOneDocument(seed)) return Buffer.from(JSON.stringify(mutateValue(r, JSON.parse(seed)), null, 2));
  const i = Math.floor(r() * (lines.length - 1));
  lines[i] = JSON.stringify(mutateValue(r, JSON.parse(lines[i]!)));
  return Buffer.from(lines.join('\n'));
}

interface Target {
  /** The file that is damaged, relative to the work dir. */
  file: string;
  /** Its valid content. */
  seed: (dir: string) => Promise<string>;
  /** The CLI call that reads it. */
  argv: string[];
}

const TARGETS: Record<string, Target> = {
  dataset: {
    file: 'd.jsonl',
    seed: async () => jsonl([row('o__r-1'), row('o__r-2')]),
    argv: [
      'eval',
      'run',
      '--dataset',
      'd.jsonl',
      '--predictions',
      'gold',
      '--run-id',
      'f',
      '--rewrite-reports',
    ],
  },
  'dataset (JSON array)': {
    file: 'd.json',
    seed: async () => JSON.stringify([row('o__r-1'), row('o__r-2')], null, 2),
    argv: [
      'eval',
      'run',
      '--dataset',
      'd.json',
      '--predictions',
      'gold',
      '--run-id',
      'f',
      '--rewrite-reports',
    ],
  },
  predictions: {
    file: 'p.jsonl',
    seed: async () =>
      jsonl(
        ['o__r-1', 'o__r-2'].map((id) => ({ instance_id: id, model_name_or_path: 'm', model_patch: 'x' })),
      ),
    argv: [
      'eval',
      'run',
      '--dataset',
      'good.jsonl',
      '--predictions',
      'p.jsonl',
      '--run-id',
      'f',
      '--rewrite-reports',
    ],
  },
  'env spec': {
    file: 'e.json',
    seed: async () =>
      JSON.stringify(
        { 'o/r': { '1.0': { image: 'python:3.11', install: ['pip install -e .'], test_cmd: 'pytest' } } },
        null,
        2,
      ),
    argv: [
      'eval',
      'run',
      '--dataset',
      'good.jsonl',
      '--predictions',
      'gold',
      '--env-spec',
      'e.json',
      '--run-id',
      'f',
      '--rewrite-reports',
    ],
  },
  config: {
    file: 'c.json',
    seed: async () =>
      JSON.stringify({ 'max-workers': '2', backend: 'local', 'instance-ids': ['a'] }, null, 2),
    argv: ['--config', 'c.json', 'version'],
  },
  'offline model': {
    file: 'm.json',
    seed: async () => JSON.stringify(defaultModel, null, 2),
    argv: [
      'spice',
      'label',
      '--dataset',
      'good.jsonl',
      '--offline',
      '--offline-model',
      'm.json',
      '--out',
      'out.jsonl',
    ],
  },
  'SPICE labels': {
    file: 'l.jsonl',
    seed: async (dir) => {
      const t = bufferedIO();
      t.io.cwd = dir;
      const args = ['spice', 'label', '--dataset', 'good.jsonl', '--offline', '--out', 'l.jsonl'];
      if ((await runCli(args, t.io)) !== 0) throw new Error(`seed labels: ${t.stderr()}`);
      return readFile(join(dir, 'l.jsonl'), 'utf8');
    },
    argv: ['spice', 'eval', '--labels', 'l.jsonl', '--annotations', 'a.csv'],
  },
  'mining resume state': {
    file: 'o.jsonl.state.json',
    seed: async () =>
      JSON.stringify(
        {
          done: {
            aaaa: { verdict: 'no-test-change' },
            bbbb: { verdict: 'validated', instance: row('o__r-1') },
          },
        },
        null,
        2,
      ),
    argv: ['datagen', 'mine', '--repo', 'repo', '--out', 'o.jsonl', '--backend', 'local'],
  },
};

const CASES_PER_TARGET = 60;

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('malformed input fuzz: every reader answers with one line and exit 2, never a crash or a write', () => {
  for (const [name, target] of Object.entries(TARGETS)) {
    it(name, { timeout: 120_000 }, async () => {
      await using dir = await tempDir();
      await writeFile(join(dir.path, 'good.jsonl'), jsonl([row('o__r-1'), row('o__r-2')]));
      await writeFile(
        join(dir.path, 'a.csv'),
        'instance_id,underspecified,false_negative,difficulty\no__r-1,0.0,1.0,<15 min fix\no__r-2,1.0,0.0,15 min - 1 hour\n',
      );
      await makeGitRepo(join(dir.path, 'repo'), [{ message: 'init', files: { 'README.md': 'x\n' } }]);
      const seed = await target.seed(dir.path);
      const run = async (bytes: Buffer) => {
        await writeFile(join(dir.path, target.file), bytes);
        const t = bufferedIO();
        t.io.cwd = dir.path;
        return { code: await runCli(target.argv, t.io), stderr: t.stderr() };
      };
      // What the undamaged file does (regrading a run with no saved logs is exit 1, say): a damaged file that
      // is still valid does the same (or 0: an empty dataset has nothing to fail), anything else is exit 2.
      const baseline = (await run(Buffer.from(seed))).code;
      expect(baseline, `${name}: the undamaged seed`).not.toBe(2);
      const r = prng([...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
      let rejected = 0;
      for (let n = 0; n < CASES_PER_TARGET; n++) {
        const bytes = damage(r, seed);
        const before = await listFiles(dir.path);
        const { code, stderr } = await run(bytes);
        const what = `${name} case ${n}: ${JSON.stringify(bytes.subarray(0, 120).toString('latin1'))} -> ${code}: ${stderr.slice(0, 600)}`;
        expect([0, baseline, 2], what).toContain(code);
        expect(stderr, what).not.toMatch(/^\s+at |\[INTERNAL\]/m);
        if (code === 2) {
          rejected++;
          // Progress lines ("backend: local") may precede it; the error itself is one line.
          const errors = stderr
            .split('\n')
            .filter((l) => l.startsWith('repoforge: ') || l.startsWith('hint: '));
          expect(errors, what).toHaveLength(1);
          expect(errors[0], what).toMatch(new RegExp(`${target.file.replaceAll('.', '\\.')}:\\d+: `));
          expect(await listFiles(dir.path), what).toEqual(before);
        }
        // A still-valid case may have written outputs: start the next one from the same files.
        for (const out of ['out.jsonl', 'o.jsonl', 'logs'])
          await rm(join(dir.path, out), { recursive: true, force: true });
      }
      // The damage must mostly be damage: a fuzz that only produced valid files would prove nothing.
      expect(rejected).toBeGreaterThan(CASES_PER_TARGET / 3);
    });
  }
});
