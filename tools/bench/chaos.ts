/**
 * Chaos bench (#17): faults injected into real runs — kill -9 of `eval run`, `datagen mine`, `rollout run` and a cold `env build` at spread points of their runs, the
 * Docker engine restarted mid-run (a second dockerd on its own socket and data root), the report dir's disk
 * full (a tiny tmpfs), Redis restarted under a distributed run — each followed by a rerun of the same run id.
 * Prints JSON: per fault, runs tried and recovered, instances lost / duplicated / with a wrong verdict,
 * damaged files, containers leaked, seconds to recover (the rerun), faults that missed (their run had already
 * ended). Root, Docker and Redis needed.
 *   npx nx run @repoforge/cli:build && npx tsx --conditions=@repoforge/source tools/bench/chaos.ts \
 *     [--instances 8] [--only kill] [--keep DIR]
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tempDir } from '@repoforge/test-utils';
import { diskFullRow } from './chaos/disk-full.ts';
import { removeChaosEngine } from './chaos/engine.ts';
import { engineRestartRow } from './chaos/engine-restart.ts';
import { envBuildDiskFullRow } from './chaos/env-build-disk-full.ts';
import { envBuildKill9Row } from './chaos/env-build-kill9.ts';
import { kill9Row } from './chaos/kill9.ts';
import { llmCacheDiskFullRow } from './chaos/llm-cache-disk-full.ts';
import { localBackend } from './chaos/local.ts';
import { localEnvBuildKill9Row } from './chaos/local-env-build-kill9.ts';
import { localKill9Row } from './chaos/local-kill9.ts';
import { mineDiskFullRow } from './chaos/mine-disk-full.ts';
import { mineEngineRestartRow } from './chaos/mine-engine-restart.ts';
import { mineKill9Row } from './chaos/mine-kill9.ts';
import { mineRegistryRestartRow, mineWorkerKill9Row } from './chaos/mine-worker-kill9.ts';
import { redisRestartRow } from './chaos/redis-restart.ts';
import { rolloutEngineRestartRow } from './chaos/rollout-engine-restart.ts';
import { rolloutKill9Row } from './chaos/rollout-kill9.ts';
import { type Reference, reference } from './chaos/rows.ts';
import { makeWorld } from './chaos/world.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '8' },
    only: { type: 'string' },
    keep: { type: 'string' },
  },
});

await using tmp = await tempDir('repoforge-chaos-');
// --keep DIR: run there and leave it, for a look at what a fault left.
const rootPath = values.keep ? resolve(values.keep) : tmp.path;
if (values.keep) await mkdir(rootPath, { recursive: true });
const world = await makeWorld(rootPath, Number(values.instances));
const ref: Reference = await reference(world);
const rows = {
  'kill -9 eval run': () => kill9Row(world, ref),
  'kill -9 datagen mine': () => mineKill9Row(world),
  'kill -9 rollout run': () => rolloutKill9Row(world),
  'kill -9 env build (cold)': () => envBuildKill9Row(world),
  'kill -9 eval run, local backend': () => localKill9Row(world, ref),
  'kill -9 datagen mine, local backend': async () => mineKill9Row(world, await localBackend(world)),
  'kill -9 rollout run, local backend': async () => rolloutKill9Row(world, await localBackend(world)),
  'kill -9 env build (cold), local backend': () => localEnvBuildKill9Row(world),
  'docker engine restart mid eval run': () => engineRestartRow(world, ref),
  'docker engine restart mid datagen mine': () => mineEngineRestartRow(world),
  'docker engine restart mid rollout run': () => rolloutEngineRestartRow(world),
  'disk full (report dir)': () => diskFullRow(world, ref),
  'disk full (datagen mine output)': () => mineDiskFullRow(world),
  'disk full (LLM cache)': () => llmCacheDiskFullRow(world),
  'disk full (engine data root, env build)': () => envBuildDiskFullRow(world),
  'redis restart mid distributed eval': () => redisRestartRow(world, ref),
  'kill -9 of a datagen worker mid distributed mine': () => mineWorkerKill9Row(world),
  'registry restart mid distributed mine': () => mineRegistryRestartRow(world),
};
const results = [];
for (const [fault, row] of Object.entries(rows)) {
  if (values.only && !fault.includes(values.only)) continue;
  process.stderr.write(`[chaos] ${fault}\n`);
  try {
    results.push({ fault, ...(await row()) });
  } catch (error) {
    results.push({ fault, bench_error: (error as Error).message });
  }
}
await removeChaosEngine();
const clean = results.every(
  (r) =>
    'runs_tried' in r &&
    r.runs_recovered === r.runs_tried &&
    r.instances_lost === 0 &&
    r.instances_duplicated === 0 &&
    r.containers_leaked === 0,
);
console.log(
  JSON.stringify(
    {
      bench: 'chaos',
      instances: world.ids.length,
      reference_seconds: ref.seconds,
      clean,
      // Faults that came after their run had ended (too late to prove anything); 0 when every one landed.
      faults_missed: results.reduce((n, r) => n + ('faults_missed' in r ? r.faults_missed : 0), 0),
      faults: results,
    },
    null,
    2,
  ),
);
