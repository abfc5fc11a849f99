import { resolve } from 'node:path';
import { datasetStorage, dirBytes, repoBytesAt } from '@repoforge/deps';
import { loadDataset, RepoCache } from '@repoforge/harness';
import { dockerClient, inspectImageLayers, storageReport } from '@repoforge/sandbox';
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
    const imageOf = new Map<string, string>();
    const repoBytes = new Map<string, number>();
    const gitdirs = new Set<string>();
    for (const inst of dataset) {
      imageOf.set(inst.instance_id, (await env.envOf(inst, signal)).image);
      const loc = await repos.resolve(inst.repo);
      gitdirs.add(loc.gitdir);
      repoBytes.set(inst.instance_id, await repoBytesAt(loc.gitdir, inst.base_commit, loc.cache));
    }
    const images = [...new Set(imageOf.values())];
    const r = await storageReport(images, { signal });
    const docker = dockerClient();
    const sizes = new Map<string, number>();
    for (const img of images)
      sizes.set(
        img,
        (await inspectImageLayers(docker, img)).layers.reduce((a, l) => a + l.size, 0),
      );
    let cacheBytes = 0;
    for (const g of gitdirs) cacheBytes += await dirBytes(g);
    const s = datasetStorage({
      report: r,
      imageOf,
      imageSizeOf: (i) => sizes.get(i) ?? 0,
      repoBytes,
      repoCacheBytes: cacheBytes,
    });
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
