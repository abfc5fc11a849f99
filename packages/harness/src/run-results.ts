import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Instance, InstanceReportFile } from '@repoforge/schema';
import { z } from 'zod';
import { HarnessError } from './errors.js';
import { LOG_FILES } from './paths.js';
import { EnvProvenance } from './provenance.js';
import type { RepoSource } from './repo-source.js';

/** One instance's result as a run left it on disk (SWE-bench's layout plus RepoForge's extra files). */
export interface RunResult {
  instance_id: string;
  repo: string;
  model: string;
  status: 'resolved' | 'unresolved' | 'not applied' | 'error';
  f2p: { success: number; failure: number };
  p2p: { success: number; failure: number };
  durationMs?: number;
  /** Where its environment came from and, for a planned one, how the repair ladder obtained it. */
  environment?: EnvProvenance;
  logDir: string;
}

const Timings = z.object({ total_ms: z.number() });

/** A file of the instance's log dir, validated; undefined when absent or not what RepoForge writes. */
async function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** SWE-bench's id convention (`owner__name-N`), for instances the caller gives no dataset row for. */
const repoFromId = (id: string) => id.replace(/-[^-]+$/, '').replace('__', '/');

async function readOne(dir: string, id: string, model: string, repo: string): Promise<RunResult> {
  const report = (await readJson(dir, LOG_FILES.report, InstanceReportFile))?.[id];
  const t = report?.tests_status;
  return {
    instance_id: id,
    repo,
    model,
    status: !report
      ? 'error'
      : report.resolved
        ? 'resolved'
        : report.patch_successfully_applied
          ? 'unresolved'
          : 'not applied',
    f2p: { success: t?.FAIL_TO_PASS.success.length ?? 0, failure: t?.FAIL_TO_PASS.failure.length ?? 0 },
    p2p: { success: t?.PASS_TO_PASS.success.length ?? 0, failure: t?.PASS_TO_PASS.failure.length ?? 0 },
    durationMs: (await readJson(dir, LOG_FILES.timings, Timings))?.total_ms,
    environment: await readJson(dir, LOG_FILES.environment, EnvProvenance),
    logDir: dir,
  };
}

/**
 * Every instance result of a run under `reportDir` (`logs/run_evaluation/<runId>/<model>/<id>`), sorted by id.
 * An instance without a readable report.json is an error. Repos come from `dataset` rows where given.
 */
export async function readRunResults(
  reportDir: string,
  runId: string,
  options: { dataset?: readonly Instance[]; signal?: AbortSignal } = {},
): Promise<RunResult[]> {
  const root = join(reportDir, 'logs', 'run_evaluation', runId);
  if (!existsSync(root))
    throw new HarnessError('RUN_NOT_FOUND', `no run ${runId} under ${reportDir} (expected ${root})`);
  const repos = new Map(options.dataset?.map((i) => [i.instance_id, i.repo]));
  const results: RunResult[] = [];
  for (const model of await readdir(root)) {
    for (const id of await readdir(join(root, model))) {
      options.signal?.throwIfAborted();
      results.push(await readOne(join(root, model, id), id, model, repos.get(id) ?? repoFromId(id)));
    }
  }
  return results.sort((a, b) => (a.instance_id < b.instance_id ? -1 : 1));
}

/** An instance of an eval run with the image its tests ran in and its repo at base_commit (storage figures). */
export interface RunImage {
  id: string;
  image: string;
  gitdir: string;
  baseCommit: string;
  cache?: object;
}

/**
 * The instances of an eval run with the image each one's tests ran in (environment.json's runtime), so storage
 * figures describe what eval used; an instance whose run recorded no image is named in `missing`, not guessed.
 */
export async function runImages(
  reportDir: string,
  runId: string,
  options: { dataset: readonly Instance[]; repos: RepoSource; signal?: AbortSignal },
): Promise<{ measured: RunImage[]; missing: string[] }> {
  const rows = new Map(options.dataset.map((i) => [i.instance_id, i]));
  const measured: RunImage[] = [];
  const missing: string[] = [];
  for (const r of await readRunResults(reportDir, runId, options)) {
    const image = r.environment?.runtime?.image;
    const inst = rows.get(r.instance_id);
    if (!image || !inst) {
      missing.push(r.instance_id);
      continue;
    }
    const loc = await options.repos.resolve(inst.repo, { signal: options.signal });
    measured.push({
      id: r.instance_id,
      image,
      gitdir: loc.gitdir,
      baseCommit: inst.base_commit,
      cache: loc.cache,
    });
  }
  return { measured, missing };
}
