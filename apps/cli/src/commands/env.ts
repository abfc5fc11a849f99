import { resolve } from 'node:path';
import { measureDatasetStorage } from '@repoforge/deps';
import { loadDataset, RepoCache } from '@repoforge/harness';
import { autoEnv } from '../auto-env.js';
import { fileArg, numberArg } from '../args.js';
import type { Command } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';

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
  },
  async run({ io, values, signal, verbose, json }) {
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const logger = cliLogger(io, verbose);
    const env = autoEnv(new RepoCache({ cacheDir: resolve(io.cwd, String(values['repo-cache'])) }), logger);
    const progress = new Progress(io, 'env', dataset.length);
    const images = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < dataset.length) {
        const inst = dataset[next++]!;
        const { image } = await env.envOf(inst, signal);
        images.set(inst.instance_id, image);
        progress.tick(`${inst.instance_id}: ${image}`);
      }
    };
    await Promise.all(Array.from({ length: numberArg(values, 'workers', true) ?? 2 }, worker));
    progress.finish();
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
  examples: ['repoforge storage report --dataset instances.jsonl --repo-cache ./repos'],
  options: commonOptions,
  async run({ io, values, signal, verbose, json }) {
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const cacheDir = resolve(io.cwd, String(values['repo-cache']));
    const repos = new RepoCache({ cacheDir, clone: false });
    const env = autoEnv(repos, cliLogger(io, verbose));
    const measured = [];
    for (const inst of dataset) {
      const loc = await repos.resolve(inst.repo);
      measured.push({
        id: inst.instance_id,
        image: (await env.envOf(inst, signal)).image,
        gitdir: loc.gitdir,
        baseCommit: inst.base_commit,
        cache: loc.cache,
      });
    }
    const { report: r, ...s } = await measureDatasetStorage(measured);
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    if (json) io.stdout.write(`${JSON.stringify({ ...s, images: r.images })}\n`);
    else {
      io.stdout.write(
        `instances: ${s.instances}\nimages: ${s.images}\ntotal: ${mb(s.totalBytes)} (images ${mb(s.imageBytes)}, shared ${mb(s.sharedBytes)}; repo cache ${mb(s.repoCacheBytes)})\n` +
          `amortized: ${s.amortizedMBPerInstance} MB per instance\nbaseline (one image per instance): ${s.baselineMBPerInstance} MB per instance, ${mb(s.baselineBytes)} in all\nratio: ${s.ratio}x smaller\n`,
      );
      for (const i of r.images)
        io.stdout.write(
          `  ${i.image}: ${mb(i.sizeBytes)} (unique ${mb(i.uniqueBytes)}, shared ${mb(i.sharedBytes)})\n`,
        );
    }
    return 0;
  },
};

/** `repoforge env ...` */
export const envCommand: Command = {
  name: 'env',
  summary: 'plan and build environments from the repos themselves',
  subcommands: [build],
};
/** `repoforge storage ...` */
export const storageCommand: Command = {
  name: 'storage',
  summary: 'what environments cost on disk, shared vs one image per instance',
  subcommands: [report],
};
