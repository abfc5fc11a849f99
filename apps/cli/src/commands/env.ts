import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoNameOf } from '@repoforge/datagen';
import {
  buildDatasetEnvs,
  envPlanHash,
  measureDatasetStorage,
  planEnv,
  plannedEnvs,
  resolveCommit,
  shareDatasetEnvs,
  slimDatasetEnvs,
  snapshotFromGit,
} from '@repoforge/deps';
import { EnvValidations, loadDataset, RepoCache, runImages, validateEnvironments } from '@repoforge/harness';
import { reapLeftoversBestEffort, registryUsage } from '@repoforge/sandbox';
import { writeFileAtomic } from '@repoforge/schema/node';
import { fileArg, numberArg } from '../args.js';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { ENV_REGISTRY_OPTION, envRegistryArg, sharedImages } from '../shared-images.js';
import { INSTANCE_RUN_OPTIONS } from './eval.js';

const commonOptions = {
  dataset: { type: 'string' as const, value: 'FILE', description: 'instances (JSON or JSONL)' },
  'repo-cache': {
    type: 'string' as const,
    value: 'DIR',
    description: 'repo clones (owner/name or owner__name)',
    default: '.repoforge/repos',
  },
};

const build: Command = {
  name: 'build',
  summary: 'build (or reuse) every environment a dataset needs, shared by dependency spec',
  examples: ['repoforge env build --dataset instances.jsonl --repo-cache ./repos --workers 2'],
  options: {
    ...commonOptions,
    workers: { type: 'string', value: 'N', description: 'builds at once', default: '2' },
    share: {
      type: 'boolean',
      description:
        "lineage sharing: try each instance on its repo's existing images; keep a merge only if its gold patch still resolves",
    },
    slim: {
      type: 'boolean',
      description:
        'access-trace pass: drop installed packages no test loads; keep only if every gold patch still resolves',
    },
    out: { type: 'string', value: 'FILE', description: 'write the instance -> image map (JSON)' },
    explain: {
      type: 'boolean',
      description:
        'verify each environment (its tests must run) and print how it was obtained: rungs tried, what failed',
    },
    backend: BACKEND_OPTION,
    'env-registry': ENV_REGISTRY_OPTION,
  },
  async run({ io, values, signal, verbose, json }) {
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const logger = cliLogger(io, verbose);
    const explain = values.explain === true;
    const registry = await sharedImages(values['env-registry'], logger);
    const kit = await backendKit(values.backend, logger, registry.images);
    if ((values.share || values.slim) && !kit.dockerBuilder)
      throw new UsageError('--share and --slim work on Docker images: use --backend docker');
    // Sandboxes a killed earlier build left (install steps, --explain and --share/--slim validation runs).
    await reapLeftoversBestEffort({ reap: kit.reapLeftovers, dockerDefault: false, signal, logger });
    const repoSource = new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) });
    const env = plannedEnvs(repoSource, logger, kit.envs, explain ? kit.createSandbox : undefined);
    const progress = new Progress(io, 'env', dataset.length);
    const { images, networkTests, failures } = await buildDatasetEnvs({
      dataset,
      envs: env,
      workers: numberArg(values, 'workers', true) ?? 2,
      keepGoing: explain,
      onProgress: progress.listen((_, r) => r.image ?? 'failed'),
      signal,
    });
    progress.finish();
    const sharing = registry.summary();
    if (sharing) io.stderr.write(`${sharing}\n`);
    if (explain) {
      for (const inst of dataset) {
        const tried = env.attempts.get(inst.instance_id) ?? [];
        const lines = tried.map(
          (a) => `  ${a.rung}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}, ${a.ms} ms`,
        );
        const verdict = failures.has(inst.instance_id)
          ? `dropped: ${failures.get(inst.instance_id)}`
          : images.get(inst.instance_id);
        const network = networkTests.get(inst.instance_id);
        if (network) lines.push(`  not graded (need the internet): ${network.join(', ')}`);
        if (!json)
          io.stdout.write(`${inst.instance_id}: ${verdict}\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
      }
      if (json)
        io.stdout.write(
          `${JSON.stringify({ environments: Object.fromEntries(dataset.map((i) => [i.instance_id, { image: images.get(i.instance_id), error: failures.get(i.instance_id), attempts: env.attempts.get(i.instance_id) ?? [], networkTests: networkTests.get(i.instance_id) ?? [] }])) })}\n`,
        );
      return failures.size ? 1 : 0;
    }
    if (values.share || values.slim) {
      const passes = {
        dataset,
        images,
        envs: env,
        repoSource,
        createSandbox: kit.createSandbox,
        signal,
      };
      if (values.share) {
        const planned = new Set(images.values()).size;
        const shared = await shareDatasetEnvs(passes);
        io.stderr.write(
          `lineage sharing: ${planned} planned image(s) -> ${shared.images.size} after ${shared.validations} validation run(s)\n`,
        );
      }
      if (values.slim)
        await slimDatasetEnvs(passes, (e) => {
          if (e.type !== 'done') return;
          const r = e.result;
          io.stderr.write(
            `slim ${e.id}: ${r.kept ? `kept, ${r.removed.length} package(s) removed, ${(r.bytesSaved / 1048576).toFixed(1)} MB saved` : r.removed.length ? 'rejected (tests changed)' : 'nothing unused'}\n`,
          );
        });
    }
    if (values.out)
      await writeFileAtomic(
        resolve(io.cwd, String(values.out)),
        `${JSON.stringify(Object.fromEntries(images), null, 2)}\n`,
      );
    const distinct = new Set(images.values());
    if (json)
      io.stdout.write(
        `${JSON.stringify({ instances: Object.fromEntries(images), images: [...distinct] })}\n`,
      );
    else
      io.stdout.write(
        `${dataset.length} instances -> ${distinct.size} environment image(s):\n${[...distinct].map((i) => `  ${i}`).join('\n')}\n`,
      );
    return 0;
  },
};

const report: Command = {
  name: 'report',
  summary:
    'storage of a dataset: images, shared bytes, MB per instance, and the one-image-per-instance baseline',
  examples: [
    'repoforge storage report --dataset instances.jsonl --repo-cache ./repos',
    'repoforge storage report --dataset instances.jsonl --repo-cache ./repos --run-id try1 --report-dir .',
  ],
  options: {
    ...commonOptions,
    backend: BACKEND_OPTION,
    'run-id': {
      type: 'string',
      value: 'ID',
      description: 'measure the images this eval run used (its environment.json files) instead of planning',
    },
    'report-dir': { type: 'string', value: 'DIR', description: "the eval run's --report-dir", default: '.' },
    'env-registry': {
      type: 'string',
      value: 'HOST:PORT/PREFIX',
      description: 'also measure what this registry holds for the environments shared through it',
    },
  },
  async run({ io, values, signal, verbose, json }) {
    const registry = envRegistryArg(values['env-registry']);
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const cacheDir = resolve(io.cwd, String(values['repo-cache']));
    const repos = new RepoCache({ cacheDir, clone: false });
    const runId = values['run-id'];
    let measuredRun: Awaited<ReturnType<typeof runImages>> | undefined;
    if (typeof runId === 'string') {
      measuredRun = await runImages(resolve(io.cwd, String(values['report-dir'])), runId, {
        dataset,
        repos,
        signal,
      });
      if (!measuredRun.measured.length)
        throw new UsageError(`run ${runId} recorded no image for any instance of the dataset`);
    }
    const logger = cliLogger(io, verbose);
    const { report: r, ...s } = measuredRun
      ? await measureDatasetStorage(measuredRun.measured)
      : await plannedEnvs(repos, logger, (await backendKit(values.backend, logger)).envs).measureStorage(
          dataset,
          signal,
        );
    const source = measuredRun ? `the images run ${runId} used` : 'planned environments';
    const held = registry ? await registryUsage(registry, { signal }) : undefined;
    const missing = measuredRun?.missing ?? [];
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    if (json)
      io.stdout.write(`${JSON.stringify({ ...s, source, missing, perImage: r.images, registry: held })}\n`);
    else {
      io.stdout.write(
        `measured: ${source}\ninstances: ${s.instances}${missing.length ? ` (no image recorded: ${missing.join(', ')})` : ''}\nimages: ${s.images}\ntotal: ${mb(s.totalBytes)} (images ${mb(s.imageBytes)}, shared ${mb(s.sharedBytes)}; repo cache ${mb(s.repoCacheBytes)})\n` +
          `amortized: ${s.amortizedMBPerInstance} MB per instance\nbaseline (one image per instance): ${s.baselineMBPerInstance} MB per instance, ${mb(s.baselineBytes)} in all\nratio: ${s.ratio}x smaller\n`,
      );
      for (const i of r.images)
        io.stdout.write(
          `  ${i.image}: ${mb(i.sizeBytes)} (unique ${mb(i.uniqueBytes)}, shared ${mb(i.sharedBytes)})\n`,
        );
      if (held)
        io.stdout.write(
          `registry ${held.registry}: ${held.images} image(s) in ${held.repositories} repositories, ${held.blobs} blobs, ${mb(held.bytes)} stored (compressed; ${s.instances ? `${(held.bytes / 1048576 / s.instances).toFixed(1)} MB per instance` : 'no instance'})\n`,
        );
    }
    return 0;
  },
};

const plan: Command = {
  name: 'plan',
  summary: 'print the environment that would be built for a repo at a commit, and why (builds nothing)',
  examples: [
    'repoforge env plan --repo ./express --commit 1a2b3c4',
    'repoforge env plan --repo expressjs/express --commit 1a2b3c4 --repo-cache ./repos',
  ],
  options: {
    repo: {
      type: 'string',
      value: 'DIR|OWNER/NAME',
      description: 'a local clone or mirror, or a repo in --repo-cache',
    },
    commit: { type: 'string', value: 'REV', description: 'the commit (default HEAD)', default: 'HEAD' },
    'repo-cache': commonOptions['repo-cache'],
  },
  async run({ io, values, json }) {
    const repo = values.repo;
    if (typeof repo !== 'string') throw new UsageError('--repo is required');
    const local = resolve(io.cwd, repo);
    const gitdir = existsSync(join(local, '.git'))
      ? join(local, '.git')
      : existsSync(join(local, 'objects'))
        ? local
        : (
            await new RepoCache({
              cacheDir: resolve(io.cwd, String(values['repo-cache'])),
              clone: false,
            }).resolve(repo)
          ).gitdir;
    const oid = await resolveCommit(gitdir, String(values.commit));
    if (!oid) throw new UsageError(`--commit: ${String(values.commit)} is not a commit in ${gitdir}`);
    // A known repo (SWE-bench's) gets its built-in recipe: the name comes from the argument or the clone.
    const name = existsSync(local) ? await repoNameOf(local) : repo;
    const spec = await planEnv(await snapshotFromGit({ gitdir, oid, cache: {} }), { repo: name });
    if (json) io.stdout.write(`${JSON.stringify({ commit: oid, hash: envPlanHash(spec), spec })}\n`);
    else
      io.stdout.write(
        [
          `commit: ${oid}`,
          `answered by: ${spec.answeredBy === 'recipe' ? `the built-in recipe of ${name} (a known repo)` : 'the planner (read from the repo)'}`,
          `ecosystem: ${spec.ecosystem} (${spec.runtime.name} ${spec.runtime.version})`,
          `install: ${spec.install.strategy}${'command' in spec.install ? `: ${spec.install.command}` : 'packages' in spec.install ? `: ${spec.install.packages.join(' ')}` : ''}`,
          `system packages: ${spec.systemPackages.join(' ') || '(none)'}`,
          `test runner: ${spec.testRunner}`,
          `test command: ${spec.testCmd}`,
          `log parser: ${spec.logParser}`,
          `environment hash: ${envPlanHash(spec).slice(0, 16)}`,
          ...spec.notes.map((n) => `why: ${n}`),
          '',
        ].join('\n'),
      );
    return 0;
  },
};

const validate: Command = {
  name: 'validate',
  summary: "run each instance's gold patch in its environment once; say which environments cannot serve it",
  examples: ['repoforge env validate --dataset verified.jsonl --repo-cache ./repos --max-workers 2'],
  options: {
    ...commonOptions,
    ...INSTANCE_RUN_OPTIONS,
    'report-dir': {
      type: 'string',
      value: 'DIR',
      description: "where the gold runs' logs go",
      default: '.repoforge/validate',
    },
  },
  async run({ io, values, signal, verbose, json }) {
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const logger = cliLogger(io, verbose);
    const kit = await backendKit('docker', logger);
    const progress = new Progress(io, 'validate', 0);
    const report = await validateEnvironments({
      dataset,
      runId: 'validate',
      reportDir: resolve(io.cwd, String(values['report-dir'])),
      instanceIds: (values['instance-ids'] as string[] | undefined)
        ?.flatMap((s) => s.split(','))
        .filter(Boolean),
      maxWorkers: numberArg(values, 'max-workers', true),
      timeoutSec: numberArg(values, 'timeout', true),
      envSpecs: {},
      recipes: 'debian',
      repoSource: new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) }),
      resolveEnv: plannedEnvs(
        new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) }),
        logger,
        kit.envs,
        kit.createSandbox,
      ).resolveEnv,
      createSandbox: kit.createSandbox,
      reapLeftovers: kit.reapLeftovers,
      validations: new EnvValidations(resolve(io.cwd, '.repoforge', 'env-validations')),
      logger,
      signal,
      onProgress: progress.listen((_, o) =>
        o.report?.resolved ? 'servable' : `not servable (${o.errorClass ?? 'unresolved'})`,
      ),
    });
    progress.finish();
    if (json)
      io.stdout.write(
        `${JSON.stringify({ servable: report.servable, unservable: report.unservable, validated: report.validated })}\n`,
      );
    else {
      io.stdout.write(
        `servable: ${report.servable.length} of ${dataset.length} (gold runs made now: ${report.validated}; the rest were saved)\n`,
      );
      for (const [id, e] of Object.entries(report.unservable))
        io.stdout.write(`not servable: ${id} (${e.class}): ${e.reason}\n`);
    }
    return Object.keys(report.unservable).length ? 1 : 0;
  },
};

/** `repoforge env ...` */
export const envCommand: Command = {
  name: 'env',
  summary: 'plan and build environments from the repos themselves',
  subcommands: [plan, build, validate],
};
/** `repoforge storage ...` */
export const storageCommand: Command = {
  name: 'storage',
  summary: 'what environments cost on disk, shared vs one image per instance',
  subcommands: [report],
};
