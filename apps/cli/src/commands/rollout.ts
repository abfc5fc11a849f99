import { resolve } from 'node:path';
import { plannedEnvs } from '@repoforge/deps';
import { loadDataset, loadEnvSpecs, RepoCache } from '@repoforge/harness';
import {
  type EpisodeSettings,
  GroupServer,
  HttpPolicy,
  type PolicyEndpoint,
  queuedSamples,
  RolloutEngine,
  type RolloutEpisodes,
  RolloutOutput,
  rolloutRunId,
  rolloutSandboxPool,
} from '@repoforge/rl-scaffold';
import { reapLeftoversBestEffort } from '@repoforge/sandbox';
import { type EnvSpecMap, envSpecFor, type Instance } from '@repoforge/schema';
import { fileArg, numberArg } from '../args.js';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import { type CliIO, type Command, type ParsedValues, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { imageSpec, runWorkers, workerOptions } from '../workers.js';

const run: Command = {
  name: 'run',
  summary:
    'agent rollouts with a policy server: groups of k samples with harness rewards, as JSONL (and HTTP)',
  examples: [
    'repoforge rollout run --dataset d.jsonl --policy-url http://127.0.0.1:8000/v1 --model qwen --samples 4 --out traj.jsonl --sft-out sft.jsonl',
    'repoforge rollout run --dataset d.jsonl --policy-url $OPENAI_BASE_URL --model gpt-4o-mini --serve 8765 --out traj.jsonl',
    'repoforge rollout run --dataset d.jsonl --policy-url http://10.0.0.7:8000/v1 --model qwen --queue redis://10.0.0.5:6379 --concurrency 16 --out traj.jsonl',
  ],
  options: {
    dataset: { type: 'string', value: 'FILE', description: 'instances' },
    'policy-url': {
      type: 'string',
      value: 'URL',
      description: 'OpenAI-compatible base URL (default $OPENAI_BASE_URL)',
    },
    model: { type: 'string', value: 'NAME', description: 'policy model' },
    samples: { type: 'string', value: 'K', description: 'samples per instance (a group)', default: '4' },
    concurrency: { type: 'string', value: 'N', description: 'episodes at once', default: '4' },
    'max-turns': { type: 'string', value: 'N', description: 'turns per episode', default: '35' },
    out: { type: 'string', value: 'FILE', description: 'groups JSONL (one line per group)' },
    'sft-out': {
      type: 'string',
      value: 'FILE',
      description: 'resolved trajectories as OpenAI-messages JSONL',
    },
    serve: {
      type: 'string',
      value: 'PORT',
      description: 'also serve groups at http://127.0.0.1:PORT/groups (long-poll)',
    },
    'env-spec': {
      type: 'string',
      value: 'FILE',
      description: 'environments (others are planned from the repo)',
    },
    'repo-cache': { type: 'string', value: 'DIR', description: 'repos', default: '.repoforge/repos' },
    'random-workdir': { type: 'boolean', description: 'check out into a random directory per episode' },
    backend: BACKEND_OPTION,
    queue: {
      type: 'string',
      value: 'redis://HOST:PORT[/DB]',
      description:
        "run the episodes on 'repoforge worker --roles rollout' processes (any machine) via this Redis; --concurrency is then the samples in flight across them",
    },
  },
  async run({ io, values, signal, verbose }) {
    const baseUrl = (values['policy-url'] as string | undefined) ?? io.env.OPENAI_BASE_URL;
    if (!baseUrl || typeof values.model !== 'string' || typeof values.out !== 'string') {
      throw new UsageError('--policy-url (or $OPENAI_BASE_URL), --model and --out are required');
    }
    const logger = cliLogger(io, verbose);
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const specs = values['env-spec'] ? await loadEnvSpecs(fileArg(values, 'env-spec', io.cwd)) : {};
    const sft = values['sft-out'] ? resolve(io.cwd, String(values['sft-out'])) : undefined;
    const endpoint = { baseUrl, model: values.model };
    const settings = {
      maxTurns: numberArg(values, 'max-turns', true),
      randomWorkdir: values['random-workdir'] === true,
    };
    const where =
      typeof values.queue === 'string'
        ? queuedEpisodes(values.queue, {
            out: resolve(io.cwd, values.out),
            endpoint,
            settings,
            specs,
            logger,
          })
        : await localEpisodes({ io, values, signal, logger, endpoint, settings, specs });
    io.stderr.write(`${where.says}\n`);
    try {
      // Rerunning with the same --out resumes: finished groups are kept, their instances skipped.
      const output = await RolloutOutput.open(resolve(io.cwd, values.out), { sft, signal });
      const engine = new RolloutEngine({
        ...where.episodes,
        samples: numberArg(values, 'samples', true),
        concurrency: numberArg(values, 'concurrency', true),
        logger,
      });
      return await writeGroups({ io, values, signal, engine, output, dataset });
    } finally {
      await where.close();
    }
  },
};

type EpisodeChoice = {
  episodes: RolloutEpisodes;
  says: string;
  close(): Promise<void>;
};

/** Episodes run by `repoforge worker --roles rollout` processes (any machine), through the queue at `url`. */
function queuedEpisodes(
  url: string,
  o: {
    out: string;
    endpoint: PolicyEndpoint;
    settings: EpisodeSettings;
    specs: EnvSpecMap;
    logger: ReturnType<typeof cliLogger>;
  },
): EpisodeChoice {
  const queued = queuedSamples({
    url,
    run: rolloutRunId([o.out, o.endpoint, o.settings]),
    endpoint: o.endpoint,
    settings: o.settings,
    envFor: (inst) => (o.specs[inst.repo] ? envSpecFor(o.specs, inst) : undefined),
    logger: o.logger,
  });
  return {
    episodes: { runSample: queued.runSample },
    says: `episodes: rollout workers via ${url} (sandboxes on their machines)`,
    close: queued.close,
  };
}

/** Episodes run in sandboxes of this machine (`--backend`). */
async function localEpisodes(o: {
  io: CliIO;
  values: ParsedValues;
  signal: AbortSignal;
  logger: ReturnType<typeof cliLogger>;
  endpoint: PolicyEndpoint;
  settings: EpisodeSettings;
  specs: EnvSpecMap;
}): Promise<EpisodeChoice> {
  const { io, values, signal, logger, specs } = o;
  const repoSource = new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) });
  const kit = await backendKit(values.backend, logger);
  if (kit.name === 'local' && values['env-spec'] !== undefined)
    throw new UsageError(
      '--env-spec names Docker images: with the local backend, environments are planned from each repo',
    );
  // Sandboxes a killed earlier run left (their owner process is gone).
  await reapLeftoversBestEffort({ reap: kit.reapLeftovers, dockerDefault: false, signal, logger });
  const auto = plannedEnvs(repoSource, logger, kit.envs);
  const pool = rolloutSandboxPool({
    createSandbox: kit.createSandbox,
    concurrency: numberArg(values, 'concurrency', true),
  });
  const policy = new HttpPolicy({ ...o.endpoint, apiKey: io.env.OPENAI_API_KEY });
  return {
    episodes: {
      ...o.settings,
      policy,
      envFor: async (inst) =>
        imageSpec(
          inst,
          specs[inst.repo] ? envSpecFor(specs, inst) : (await auto.resolveEnv(inst, signal)).spec,
        ),
      repoSource,
      pool,
    },
    says: `backend: ${kit.name} (${kit.reason})`,
    close: () => pool.close(),
  };
}

/** Runs the engine over the instances not done yet, writing (and serving) each group as it completes. */
async function writeGroups(o: {
  io: CliIO;
  values: ParsedValues;
  signal: AbortSignal;
  engine: RolloutEngine;
  output: RolloutOutput;
  dataset: Instance[];
}): Promise<number> {
  const { io, values, signal, engine, output } = o;
  const todo = o.dataset.filter((i) => !output.finished.has(i.instance_id));
  if (output.finished.size)
    io.stderr.write(
      `resuming ${values.out}: ${output.finished.size} group(s) already written${output.dropped ? `, ${output.dropped} damaged line(s) dropped` : ''}\n`,
    );
  const server = values.serve ? new GroupServer() : undefined;
  if (server) io.stderr.write(`serving groups at ${await server.listen(Number(values.serve))}/groups\n`);
  const line = () => {
    const s = engine.stats;
    const mean = s.done ? (s.rewardSum / s.done).toFixed(3) : '-';
    return `running ${s.running}, samples done ${s.done}, failed ${s.failed}${s.retried ? `, retried ${s.retried}` : ''}, mean reward ${mean}`;
  };
  // One renderer for every command: a group is the unit of progress (its samples are in the note).
  const progress = new Progress(io, 'rollout', todo.length);
  try {
    for await (const group of engine.run(todo, signal)) {
      await output.write(group);
      server?.push(group);
      progress.tick(group.instance_id, line());
    }
  } finally {
    progress.finish();
    await server?.close();
    await output.close();
  }
  io.stdout.write(
    `rollout: ${line()}, groups ${engine.stats.groups}\ngroups written to ${output.out}${output.sft ? `, SFT records to ${output.sft}` : ''}\n`,
  );
  const { unfinished, failed } = engine.stats;
  if (unfinished)
    io.stderr.write(
      `${unfinished} instance(s) unfinished: their sandbox engine went away and stayed away; rerun the same command to finish them\n`,
    );
  return failed > 0 || unfinished > 0 ? 1 : 0;
}

const worker: Command = {
  name: 'worker',
  summary:
    "run rollout samples from a queue that 'repoforge rollout run --queue' fills (any machine with Docker); $OPENAI_API_KEY is sent to the policy server",
  examples: [
    'repoforge rollout worker --queue redis://10.0.0.5:6379 --concurrency 4 --env-registry 10.0.0.5:5000/repoforge',
  ],
  options: workerOptions('samples'),
  run: ({ io, values, signal, verbose }) => runWorkers(['rollout'], { io, values, signal, verbose }),
};

/** `repoforge rollout ...` */
export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'agent rollouts for RL/SFT with harness rewards',
  subcommands: [run, worker],
};
