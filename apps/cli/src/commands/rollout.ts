import { resolve } from 'node:path';
import { plannedEnvs } from '@repoforge/deps';
import { loadDataset, loadEnvSpecs, RepoCache } from '@repoforge/harness';
import {
  GroupServer,
  HttpPolicy,
  RolloutEngine,
  RolloutOutput,
  rolloutSandboxPool,
} from '@repoforge/rl-scaffold';
import { reapLeftoversBestEffort } from '@repoforge/sandbox';
import { envSpecFor } from '@repoforge/schema';
import { fileArg, numberArg } from '../args.js';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';

const run: Command = {
  name: 'run',
  summary:
    'agent rollouts with a policy server: groups of k samples with harness rewards, as JSONL (and HTTP)',
  examples: [
    'repoforge rollout run --dataset d.jsonl --policy-url http://127.0.0.1:8000/v1 --model qwen --samples 4 --out traj.jsonl --sft-out sft.jsonl',
    'repoforge rollout run --dataset d.jsonl --policy-url $OPENAI_BASE_URL --model gpt-4o-mini --serve 8765 --out traj.jsonl',
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
  },
  async run({ io, values, signal, verbose }) {
    const baseUrl = (values['policy-url'] as string | undefined) ?? io.env.OPENAI_BASE_URL;
    if (!baseUrl || typeof values.model !== 'string' || typeof values.out !== 'string') {
      throw new UsageError('--policy-url (or $OPENAI_BASE_URL), --model and --out are required');
    }
    const logger = cliLogger(io, verbose);
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const repoSource = new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) });
    const kit = await backendKit(values.backend, logger);
    if (kit.name === 'local' && values['env-spec'] !== undefined)
      throw new UsageError(
        '--env-spec names Docker images: with the local backend, environments are planned from each repo',
      );
    io.stderr.write(`backend: ${kit.name} (${kit.reason})\n`);
    const specs = values['env-spec'] ? await loadEnvSpecs(fileArg(values, 'env-spec', io.cwd)) : {};
    const sft = values['sft-out'] ? resolve(io.cwd, String(values['sft-out'])) : undefined;
    // Rerunning with the same --out resumes: finished groups are kept, their instances skipped.
    const output = await RolloutOutput.open(resolve(io.cwd, values.out), { sft, signal });
    // Sandboxes a killed earlier run left (their owner process is gone).
    await reapLeftoversBestEffort({ reap: kit.reapLeftovers, dockerDefault: false, signal, logger });
    const todo = dataset.filter((i) => !output.finished.has(i.instance_id));
    if (output.finished.size)
      io.stderr.write(
        `resuming ${values.out}: ${output.finished.size} group(s) already written${output.dropped ? `, ${output.dropped} damaged line(s) dropped` : ''}\n`,
      );
    const auto = plannedEnvs(repoSource, logger, kit.envs);
    const envFor = async (inst: (typeof dataset)[number]) =>
      specs[inst.repo] ? envSpecFor(specs, inst) : (await auto.resolveEnv(inst, signal)).spec;
    const pool = rolloutSandboxPool({
      createSandbox: kit.createSandbox,
      concurrency: numberArg(values, 'concurrency', true),
    });
    const policy = new HttpPolicy({ baseUrl, model: values.model, apiKey: io.env.OPENAI_API_KEY });
    const engine = new RolloutEngine({
      policy,
      envFor: async (inst) => {
        const spec = await envFor(inst);
        if (!spec.image)
          throw new UsageError(
            `the environment of ${inst.instance_id} has no image (dockerfile specs need 'repoforge env build')`,
          );
        return spec;
      },
      repoSource,
      pool,
      samples: numberArg(values, 'samples', true),
      concurrency: numberArg(values, 'concurrency', true),
      maxTurns: numberArg(values, 'max-turns', true),
      randomWorkdir: values['random-workdir'] === true,
      logger,
    });
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
      await policy.close();
      await pool.close();
      await server?.close();
      await output.close();
    }
    io.stdout.write(
      `rollout: ${line()}, groups ${engine.stats.groups}\ngroups written to ${output.out}${sft ? `, SFT records to ${sft}` : ''}\n`,
    );
    const { unfinished, failed } = engine.stats;
    if (unfinished)
      io.stderr.write(
        `${unfinished} instance(s) unfinished: their sandbox engine went away and stayed away; rerun the same command to finish them\n`,
      );
    return failed > 0 || unfinished > 0 ? 1 : 0;
  },
};

/** `repoforge rollout ...` */
export const rolloutCommand: Command = {
  name: 'rollout',
  summary: 'agent rollouts for RL/SFT with harness rewards',
  subcommands: [run],
};
