/** The chaos bench's reference run and how a faulted run is judged against it. */
import { join } from 'node:path';
import { type Child, cli, containersOf, evalArgs, type RunState, runState, type World } from './world.ts';

export interface Reference {
  verdicts: Map<string, boolean>;
  seconds: number;
}

/**
 * One uninterrupted run: the verdicts every faulted run must end with; and how long a run takes, from a second,
 * warm run (the first pays for cold caches, and fault points spread over its time land after warm runs end).
 */
export async function reference(world: World): Promise<Reference> {
  const { code, stderr } = await cli(world.root, evalArgs('reference')).done;
  const state = await runState(join(world.root, 'out'), 'reference');
  if (code !== 0 || state.verdicts.size !== world.ids.length)
    throw new Error(`the reference run failed (exit ${code}): ${stderr.slice(-800)}`);
  const t = Date.now();
  const warm = await cli(world.root, evalArgs('reference-warm')).done;
  if (warm.code !== 0) throw new Error(`the warm reference run failed: ${lastLine(warm.stderr)}`);
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
  /** Faulted runs that had already ended when the fault came: they prove nothing (their reruns are judged). */
  faults_missed: number;
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
    faults_missed: 0,
    detail: [],
  };
}

/** Call just before injecting a fault into `child`'s run: counts it missed when the run has already ended. */
export function countMissed(row: Row, child: Child): void {
  if (child.exited()) row.faults_missed++;
}

/** What one faulted run ended with, after its rerun. */
export interface RunOutcome {
  /** The rerun finished cleanly (exit 0, or whatever the row counts as done). */
  finished: boolean;
  lost?: number;
  duplicated?: number;
  wrong?: number;
  damaged?: number;
  tempFiles?: number;
  leaked: number;
  seconds: number;
  detail: string;
}

/** Adds one faulted run to its row: recovered only when it finished with nothing lost, doubled, wrong or damaged. */
export function addRun(row: Row, o: RunOutcome): void {
  const bad = (o.lost ?? 0) + (o.duplicated ?? 0) + (o.wrong ?? 0) + (o.damaged ?? 0);
  row.runs_tried++;
  if (o.finished && bad === 0) row.runs_recovered++;
  row.instances_lost += o.lost ?? 0;
  row.instances_duplicated += o.duplicated ?? 0;
  row.wrong_verdicts += o.wrong ?? 0;
  row.damaged_files += o.damaged ?? 0;
  row.temp_files_left += o.tempFiles ?? 0;
  row.containers_leaked += o.leaked;
  row.recover_seconds = Math.max(row.recover_seconds, Math.round(o.seconds * 10) / 10);
  row.detail.push(o.detail);
}

/** Adds one faulted eval run (after its rerun) to the row, judged against the reference verdicts. */
export function judge(
  row: Row,
  ref: Reference,
  state: RunState,
  leaked: number,
  recoverSeconds: number,
  detail: string,
): void {
  const wrongIds = [...state.verdicts].filter(([id, v]) => ref.verdicts.get(id) !== v).map(([id]) => id);
  addRun(row, {
    finished: true,
    lost: [...ref.verdicts.keys()].filter((id) => !state.verdicts.has(id)).length,
    duplicated: state.duplicated,
    wrong: wrongIds.length,
    damaged: state.damaged,
    tempFiles: state.tempFiles,
    leaked,
    seconds: recoverSeconds,
    detail: wrongIds.length ? `${detail}; WRONG verdict: ${wrongIds.join(', ')}` : detail,
  });
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
  judge(
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
