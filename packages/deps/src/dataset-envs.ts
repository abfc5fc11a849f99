import { materializeRepo, type RepoSource, runInstance } from '@repoforge/harness';
import type { Sandbox, SandboxOptions } from '@repoforge/sandbox';
import { type Instance, type OnProgress, renderTestCmd } from '@repoforge/schema';
import pLimit from 'p-limit';
import { envSpecOf } from './build/env-builder.js';
import { type SlimResult, slimByAccessTrace } from './build/slim-env.js';
import { type LineageResult, shareEnvironments } from './lineage.js';
import type { plannedEnvs } from './planned-envs.js';

/** What sharing and slimming a dataset's environments need: its planned environments and where to run tests. */
export interface DatasetEnvOptions {
  dataset: readonly Instance[];
  /** instance id -> its environment image (as built from the plans); updated in place by the passes. */
  images: Map<string, string>;
  envs: Pick<ReturnType<typeof plannedEnvs>, 'envOf'>;
  repoSource: RepoSource;
  createSandbox: (options: SandboxOptions) => Promise<Sandbox>;
  /** Per test run (default 1800 s, SWE-bench's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Whether an instance's gold patch resolves in `image`: the one check that decides whether an instance may move
 * to a shared image or a slimmed one.
 */
export async function goldResolvesIn(
  options: DatasetEnvOptions,
  instance: Instance,
  image: string,
): Promise<boolean> {
  const { signal } = options;
  const { plan } = await options.envs.envOf(instance, signal);
  await using sandbox = await options.createSandbox({ image, network: 'none' });
  const result = await runInstance({
    instance,
    prediction: {
      instance_id: instance.instance_id,
      model_name_or_path: 'gold',
      model_patch: instance.patch,
    },
    spec: envSpecOf(plan, image),
    parser: plan.logParser,
    location: await options.repoSource.resolve(instance.repo, { signal }),
    sandbox,
    timeoutMs: options.timeoutMs ?? 1_800_000,
    signal,
  });
  return result.report?.resolved === true;
}

/**
 * Lineage sharing over a dataset: an instance moves onto an earlier instance's image of its repo when its gold
 * patch still resolves there. `options.images` is updated to the assignment.
 */
export async function shareDatasetEnvs(options: DatasetEnvOptions): Promise<LineageResult> {
  const byId = new Map(options.dataset.map((i) => [i.instance_id, i]));
  const shared = await shareEnvironments({
    instances: options.dataset.map((i) => ({ id: i.instance_id, repo: i.repo, createdAt: i.created_at })),
    ownImage: async (l) => options.images.get(l.id)!,
    validate: (l, image) => goldResolvesIn(options, byId.get(l.id)!, image),
    signal: options.signal,
  });
  for (const [id, image] of shared.assignment) options.images.set(id, image);
  return shared;
}

/**
 * The access-trace pass per image: packages no test of the image's first instance loaded are dropped, and the
 * slimmer image is kept only when every instance on it still resolves. `options.images` follows kept images.
 */
export async function slimDatasetEnvs(
  options: DatasetEnvOptions,
  onProgress?: OnProgress<SlimResult>,
): Promise<Map<string, SlimResult>> {
  const { signal } = options;
  const byImage = new Map<string, Instance[]>();
  for (const inst of options.dataset) {
    const image = options.images.get(inst.instance_id)!;
    byImage.set(image, [...(byImage.get(image) ?? []), inst]);
  }
  const results = new Map<string, SlimResult>();
  onProgress?.({ type: 'start', total: byImage.size });
  for (const [image, members] of byImage) {
    signal?.throwIfAborted();
    onProgress?.({ type: 'working', id: image, what: 'tracing what its tests load' });
    const first = members[0]!;
    const { plan } = await options.envs.envOf(first, signal);
    const location = await options.repoSource.resolve(first.repo, { signal });
    const result = await slimByAccessTrace({
      image,
      createSandbox: options.createSandbox,
      runTests: async (sb, traceEnv) => {
        await materializeRepo(sb, location, first.base_commit, '/testbed', signal);
        const script = [...plan.preTest, traceEnv, renderTestCmd(plan.testCmd, [])].join('\n');
        await sb.exec(['/bin/bash', '-c', script], {
          cwd: '/testbed',
          timeoutMs: options.timeoutMs ?? 1_800_000,
          signal,
        });
      },
      validate: async (slim) => {
        for (const m of members) if (!(await goldResolvesIn(options, m, slim))) return false;
        return true;
      },
    });
    results.set(image, result);
    if (result.kept) for (const m of members) options.images.set(m.instance_id, result.image);
    onProgress?.({ type: 'done', id: image, result, done: results.size, total: byImage.size });
  }
  return results;
}

/** What building a dataset's environments gave: an image per instance, and what did not build. */
export interface BuiltDatasetEnvs {
  /** instance id -> environment image. */
  images: Map<string, string>;
  /** instance id -> tests its verification found needing the internet (not graded). */
  networkTests: Map<string, string[]>;
  /** instance id -> why its environment could not be obtained (only with `keepGoing`). */
  failures: Map<string, string>;
}

/**
 * Obtains (builds or reuses, shared by dependency set) every environment a dataset needs, `workers` at a time.
 * Without `keepGoing` the first failure throws; with it, failures are collected and the others go on.
 */
export async function buildDatasetEnvs(options: {
  dataset: readonly Instance[];
  envs: Pick<ReturnType<typeof plannedEnvs>, 'envOf'>;
  workers?: number;
  keepGoing?: boolean;
  /** `working` while an instance's environment is obtained, `done` with its image or why it failed. */
  onProgress?: OnProgress<{ image?: string; error?: string }>;
  signal?: AbortSignal;
}): Promise<BuiltDatasetEnvs> {
  const built: BuiltDatasetEnvs = { images: new Map(), networkTests: new Map(), failures: new Map() };
  let done = 0;
  const total = options.dataset.length;
  const report = (id: string, result: { image?: string; error?: string }) =>
    options.onProgress?.({ type: 'done', id, result, done: ++done, total });
  options.onProgress?.({ type: 'start', total });
  const obtain = async (inst: Instance) => {
    options.onProgress?.({ type: 'working', id: inst.instance_id, what: 'obtaining its environment' });
    try {
      const { image, plan } = await options.envs.envOf(inst, options.signal);
      built.images.set(inst.instance_id, image);
      if (plan.networkTests?.length) built.networkTests.set(inst.instance_id, plan.networkTests);
      report(inst.instance_id, { image });
    } catch (error) {
      if (!options.keepGoing) throw error;
      built.failures.set(inst.instance_id, (error as Error).message);
      report(inst.instance_id, { error: (error as Error).message });
    }
  };
  const limit = pLimit(Math.max(1, options.workers ?? 2));
  await Promise.all(options.dataset.map((inst) => limit(() => obtain(inst))));
  return built;
}
