/** The chaos bench's reference run and how a faulted run is judged against it. */
import { join } from 'node:path';
import { cli, containersOf, evalArgs, type RunState, runState, type World } from './world.ts';

export interface Reference {
  verdicts: Map<string, boolean>;
  seconds: number;
}

/** One uninterrupted run: the verdicts every faulted run must end with, and how long a run takes. */
export async function reference(world: World): Promise<Reference> {
  const t = Date.now();
  const { code, stderr } = await cli(world.root, evalArgs('reference')).done;
  const state = await runState(join(world.root, 'out'), 'reference');
  if (code !== 0 || state.verdicts.size !== world.ids.length)
    throw new Error(`the reference run failed (exit ${code}): ${stderr.slice(-800)}`);
  return { verdicts: state.verdicts, seconds: (Date.now() - t) / 1000 };
}

/** A fault row of the JSON. */
export interface Row {
  runs_tried: number;
  runs_recovered: number;
  instances_lost: number;
  instances_duplicated: number;
  /** Instances whose final verdict differs from the uninterrupted run's. */
  wrong_verdicts: number;
  /** report.json files that do not parse, and atomic-write temp files left. */
  damaged_files: number;
  temp_files_left: number;
  containers_leaked: number;
  /** The slowest rerun (the time from "rerun" to "everything finished"). */
  recover_seconds: number;
  detail: string[];
}

export function emptyRow(): Row {
  return {
    runs_tried: 0,
    runs_recovered: 0,
    instances_lost: 0,
    instances_duplicated: 0,
    wrong_verdicts: 0,
    damaged_files: 0,
    temp_files_left: 0,
    containers_leaked: 0,
    recover_seconds: 0,
    detail: [],
  };
}

/** Adds one faulted run (after its rerun) to the row. */
export async function judge(
  row: Row,
  ref: Reference,
  state: RunState,
  leaked: number,
  recoverSeconds: number,
  detail: string,
): Promise<void> {
  const lost = [...ref.verdicts.keys()].filter((id) => !state.verdicts.has(id)).length;
  const wrongIds = [...state.verdicts].filter(([id, v]) => ref.verdicts.get(id) !== v).map(([id]) => id);
  const wrong = wrongIds.length;
  row.runs_tried++;
  if (lost === 0 && wrong === 0 && state.duplicated === 0 && state.damaged === 0) row.runs_recovered++;
  row.instances_lost += lost;
  row.instances_duplicated += state.duplicated;
  row.wrong_verdicts += wrong;
  row.damaged_files += state.damaged;
  row.temp_files_left += state.tempFiles;
  row.containers_leaked += leaked;
  row.recover_seconds = Math.max(row.recover_seconds, Math.round(recoverSeconds * 10) / 10);
  row.detail.push(wrong ? `${detail}; WRONG verdict: ${wrongIds.join(', ')}` : detail);
}

/** Reruns a run id to the end and judges it. */
export async function rerunAndJudge(
  world: World,
  row: Row,
  ref: Reference,
  runId: string,
  what: string,
  options: {
    reportDir?: string;
    dockerHost?: string;
    env?: Record<string, string>;
    extraArgs?: string[];
  } = {},
): Promise<void> {
  const reportDir = options.reportDir ?? 'out';
  const t = Date.now();
  const env = { ...options.env, ...(options.dockerHost ? { DOCKER_HOST: options.dockerHost } : {}) };
  const rerun = await cli(world.root, [...evalArgs(runId, reportDir), ...(options.extraArgs ?? [])], env)
    .done;
  const seconds = (Date.now() - t) / 1000;
  const state = await runState(join(world.root, reportDir), runId);
  const leaked = await containersOf(runId, options.dockerHost);
  await judge(
    row,
    ref,
    state,
    leaked,
    seconds,
    `${what}; rerun exit ${rerun.code}${rerun.code ? `: ${lastLine(rerun.stderr)}` : ''}`,
  );
}

export function lastLine(text: string): string {
  return text.trimEnd().split('\n').slice(-1)[0]?.slice(0, 300) ?? '';
}
