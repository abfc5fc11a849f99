/**
 * The chaos bench's world: a generated Python repo with N gold instances, the CLI as a child process (its own
 * process group, so kill -9 takes its children too), and readers of what a run left on disk and in Docker.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EnvImages, RepoCache } from '@repoforge/harness';
import { createSandbox } from '@repoforge/sandbox';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { EnvSpecMap, Instance } from '@repoforge/schema';
import { makePythonSample, sampleEnvSpecs } from '@repoforge/test-utils';

const exec = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../../apps/cli/dist/bin.js');

export interface World {
  root: string;
  ids: string[];
}

/** Writes d.jsonl (N copies of the sample's gold instance), e.json and the repo cache under `root`. */
export async function makeWorld(root: string, n: number): Promise<World> {
  if (!existsSync(BIN)) throw new Error(`build the CLI first (npx nx run @repoforge/cli:build): no ${BIN}`);
  const { instance } = await makePythonSample(join(root, 'repos'));
  const ids = Array.from({ length: n }, (_, i) => `acme__calc-${i + 1}`);
  const rows = ids.map((id) => JSON.stringify(Instance.parse({ ...instance, instance_id: id })));
  await writeFile(join(root, 'd.jsonl'), `${rows.join('\n')}\n`);
  await writeFile(join(root, 'e.json'), JSON.stringify(sampleEnvSpecs(DEFAULT_IMAGE)));
  return { root, ids };
}

export interface Child {
  done: Promise<{ code: number | null; stderr: string }>;
  /** Its stderr so far. */
  stderr: () => string;
  pid: number;
  /** It has ended (a fault applied after that tests nothing). */
  exited: () => boolean;
  kill9: () => void;
}

/** Runs the CLI in `cwd` as its own process group. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, CI: 'true', NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let exited = false;
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((ok) =>
    child.on('close', (code) => {
      exited = true;
      ok({ code, stderr });
    }),
  );
  return {
    done,
    stderr: () => stderr,
    pid: child.pid!,
    exited: () => exited,
    kill9: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** The eval-run arguments of the world's dataset (the local backend plans its environment: no env spec). */
export function evalArgs(runId: string, reportDir = 'out', backend: 'docker' | 'local' = 'docker'): string[] {
  return [
    ...['eval', 'run', '--dataset', 'd.jsonl', '--predictions', 'gold'],
    ...(backend === 'docker' ? ['--env-spec', 'e.json'] : []),
    ...['--repo-cache', 'repos', '--run-id', runId, '--report-dir', reportDir],
    ...['--backend', backend, '--max-workers', '2'],
  ];
}

export interface RunState {
  /** Instance id -> resolved, for every instance with a readable report.json. */
  verdicts: Map<string, boolean>;
  /** report.json files that do not parse (half-written). */
  damaged: number;
  /** Temp files of atomic writes left behind. */
  tempFiles: number;
  /** Ids counted more than once across the summary's lists of finished instances. */
  duplicated: number;
}

/** What a run left under its report dir. */
export async function runState(reportDir: string, runId: string): Promise<RunState> {
  const dir = join(reportDir, 'logs', 'run_evaluation', runId, 'gold');
  const verdicts = new Map<string, boolean>();
  let damaged = 0;
  let tempFiles = 0;
  for (const id of existsSync(dir) ? await readdir(dir) : []) {
    const files = await readdir(join(dir, id));
    tempFiles += files.filter((f) => f.includes('.tmp')).length;
    if (!files.includes('report.json')) continue;
    try {
      const report = JSON.parse(await readFile(join(dir, id, 'report.json'), 'utf8'));
      verdicts.set(id, report[id].resolved === true);
    } catch {
      damaged++;
    }
  }
  let duplicated = 0;
  const summary = join(reportDir, `gold.${runId}.json`);
  if (existsSync(summary)) {
    const s = JSON.parse(await readFile(summary, 'utf8'));
    const finished = [...s.resolved_ids, ...s.unresolved_ids, ...s.error_ids];
    duplicated = finished.length - new Set(finished).size;
  }
  return { verdicts, damaged, tempFiles, duplicated };
}

/** RepoForge sandbox containers of a run id on an engine (running or not). */
export function containersOf(runId: string, dockerHost?: string): Promise<number> {
  return sandboxCount(`repoforge.run-id=${runId}`, dockerHost);
}

/** The sandbox backend of a faulted run: its `--backend`, the environment its processes get, what it leaves. */
export interface Backend {
  name: 'docker' | 'local';
  env: Record<string, string>;
  /** Sandboxes process `pid` left: containers, or local sandbox dirs and bubblewrap processes. */
  leftBy: (pid: number) => Promise<number>;
}

/** The Docker backend on the main engine, or on another (the second dockerd of the engine rows). */
export function dockerBackend(dockerHost?: string): Backend {
  return {
    name: 'docker',
    env: dockerHost ? { DOCKER_HOST: dockerHost } : {},
    leftBy: (pid) => containersOfPid(pid, dockerHost),
  };
}

/** RepoForge sandbox containers a process created (running or not). */
export function containersOfPid(pid: number, dockerHost?: string): Promise<number> {
  return sandboxCount(`repoforge.owner-pid=${pid}`, dockerHost);
}

async function sandboxCount(label: string, dockerHost?: string): Promise<number> {
  const env = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
  const filters = ['--filter', 'label=repoforge.sandbox=1', '--filter', `label=${label}`];
  const { stdout } = await exec('docker', ['ps', '-aq', ...filters], { env });
  return stdout.split('\n').filter(Boolean).length;
}

/** Waits until `count()` reaches `n` (polls; the bench watches a run from outside, so it can only look). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sample's env image tag on the main engine (built by the reference run). */
export async function envImageTag(world: World): Promise<string> {
  const first = (await readFile(join(world.root, 'd.jsonl'), 'utf8')).split('\n')[0]!;
  const instance = Instance.parse(JSON.parse(first));
  const spec = EnvSpecMap.parse(sampleEnvSpecs(DEFAULT_IMAGE))['acme/calc']!['*']!;
  const repo = await new RepoCache({ cacheDir: join(world.root, 'repos'), clone: false }).resolve(
    'acme/calc',
  );
  const make = (o: Parameters<typeof createSandbox>[0]) => createSandbox({ backend: 'docker', ...o });
  return new EnvImages({ createSandbox: make }).imageFor(spec, instance, repo);
}
