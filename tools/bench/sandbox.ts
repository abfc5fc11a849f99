/**
 * Sandbox latency benchmark. Prints JSON: median/p95 of our operations beside the docker CLI doing the same
 * work in the same run, and the ratio baseline/ours (> 1 means we are faster).
 *   npx tsx --conditions=@repoforge/source tools/bench/sandbox.ts [--iterations 20] [--image IMG]
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { createSandbox, LocalBackend, SandboxPool } from '@repoforge/sandbox';
import { DEFAULT_IMAGE } from '@repoforge/sandbox/docker';
import { ratio, summarize, time } from './stats.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20' },
    image: { type: 'string', default: DEFAULT_IMAGE },
  },
});
const N = Number(values.iterations);
const image = values.image!;

async function sample(fn: () => Promise<unknown>, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < N; i++) out.push(await time(fn));
  return out;
}

const cold = await sample(async () => {
  const sb = await createSandbox({ backend: 'docker', image });
  await sb.exec(['true']);
  await sb.close();
});
const cliRun = await sample(() => run('docker', ['run', '--rm', '--network', 'none', image, 'true']));

const live = await createSandbox({ backend: 'docker', image });
const execs = await sample(() => live.exec(['true']));
const cliExec = await sample(() => run('docker', ['exec', live.id, 'true']));
await live.close();

const pool = new SandboxPool({
  warm: 2,
  max: 4,
  create: (img) => createSandbox({ backend: 'docker', image: img }),
});
await pool.prewarm([image]);
const warm: number[] = [];
for (let i = 0; i < N + 2; i++) {
  const ms = await time(async () => {
    const lease = await pool.acquire(image);
    await lease.sandbox.exec(['true']);
    await lease.release();
  });
  if (i >= 2) warm.push(ms);
  await pool.prewarm([image]); // refill happens while real work (the test command) runs
}
await pool.close();

// The local backend (bubblewrap, a uid per sandbox), beside a bare `bwrap ... true` spawn in the same run.
const local = new LocalBackend();
const localIsolated = await local.isolated();
const localCold = await sample(async () => {
  const sb = await local.create();
  await sb.exec(['true']);
  await sb.close();
});
const liveLocal = await local.create();
const localExecs = await sample(() => liveLocal.exec(['true']));
await liveLocal.close();
const bareBwrap = await sample(() =>
  run('bwrap', [
    '--unshare-net',
    '--unshare-pid',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    'true',
  ]),
);

const c = summarize(cold);
const w = summarize(warm);
const e = summarize(execs);
const br = summarize(cliRun);
const be = summarize(cliExec);
console.log(
  JSON.stringify(
    {
      benchmark: 'sandbox',
      image,
      iterations: N,
      cold_create_exec_remove: c,
      warm_pool_acquire_exec_release: w,
      exec_on_live_sandbox: e,
      baseline_docker_cli_run_rm_true: br,
      baseline_docker_cli_exec_true: be,
      local_backend: {
        bubblewrap: localIsolated,
        cold_create_exec_close: summarize(localCold),
        exec_on_live_sandbox: summarize(localExecs),
        baseline_bare_bwrap_true: summarize(bareBwrap),
        exec_overhead_vs_bare_bwrap: ratio(summarize(localExecs).median_ms, summarize(bareBwrap).median_ms),
      },
      ratios: {
        cold_vs_docker_run: ratio(c.median_ms, br.median_ms),
        warm_vs_docker_run: ratio(w.median_ms, br.median_ms),
        exec_vs_docker_exec: ratio(e.median_ms, be.median_ms),
      },
      goal_warm_median_under_60ms: w.median_ms < 60,
    },
    null,
    2,
  ),
);
