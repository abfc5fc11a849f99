import * as fs from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLocalEnv, readLocalEnv } from '@repoforge/sandbox';
import type { DockerConnection, ImageLayers, StorageReport } from '@repoforge/sandbox/docker';
import git from 'isomorphic-git';

/** Bytes of a repo's files at a commit (what a per-instance image would bake in). */
async function repoBytesAt(gitdir: string, oid: string, cache: object = {}): Promise<number> {
  const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
  let total = 0;
  const walk = async (tree: string) => {
    for (const e of (await git.readTree({ fs, gitdir, oid: tree, cache })).tree) {
      if (e.type === 'tree') await walk(e.oid);
      else if (e.type === 'blob')
        total += (await git.readBlob({ fs, gitdir, oid: e.oid, cache })).blob.byteLength;
    }
  };
  await walk(commit.tree);
  return total;
}

/** Bytes a directory takes (the shared git cache). */
async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** Storage figures for a dataset: ours (shared layers + shared git cache) against one image per instance. */
export interface DatasetStorage {
  instances: number;
  images: number;
  /** Every image layer once, plus the repo cache. */
  totalBytes: number;
  imageBytes: number;
  repoCacheBytes: number;
  sharedBytes: number;
  amortizedBytesPerInstance: number;
  amortizedMBPerInstance: number;
  /** One image per instance: its environment image plus the repo at base_commit baked in. */
  baselineBytes: number;
  baselineMBPerInstance: number;
  /** baseline / ours. */
  ratio: number;
}

/**
 * Pure: figures from the image storage report, which image each instance uses, each instance's repo bytes at
 * its base commit, and the git cache size.
 */
export function datasetStorage(input: {
  report: StorageReport;
  imageOf: ReadonlyMap<string, string>;
  imageSizeOf: (image: string) => number;
  repoBytes: ReadonlyMap<string, number>;
  repoCacheBytes: number;
}): DatasetStorage {
  const n = input.imageOf.size;
  const total = input.report.totalBytes + input.repoCacheBytes;
  let baseline = 0;
  for (const [id, image] of input.imageOf)
    baseline += input.imageSizeOf(image) + (input.repoBytes.get(id) ?? 0);
  const mb = (b: number) => Math.round((b / 1024 / 1024) * 100) / 100;
  return {
    instances: n,
    images: new Set(input.imageOf.values()).size,
    totalBytes: total,
    imageBytes: input.report.totalBytes,
    repoCacheBytes: input.repoCacheBytes,
    sharedBytes: input.report.sharedBytes,
    amortizedBytesPerInstance: n ? Math.round(total / n) : 0,
    amortizedMBPerInstance: n ? mb(total / n) : 0,
    baselineBytes: baseline,
    baselineMBPerInstance: n ? mb(baseline / n) : 0,
    ratio: total ? Math.round((baseline / total) * 100) / 100 : 0,
  };
}

/**
 * A local environment directory as "layers": each directory it mounts (the shared runtime, its own deps), so
 * a runtime used by several environments counts once. The host system they run on is not counted.
 */
async function localEnvLayers(dir: string): Promise<ImageLayers> {
  const { mounts } = await readLocalEnv(dir);
  const layers = [];
  for (const host of Object.keys(mounts).sort()) {
    const size = await dirBytes(host);
    layers.push({ chainId: host, diffId: host, size });
  }
  return { image: dir, id: dir, layers };
}

/**
 * Measures a dataset's storage on the engine (or, when every environment is a local environment directory,
 * on disk): each instance's environment image (layers counted once across the
 * set), its repo at base_commit for the baseline, and the shared git caches.
 */
export async function measureDatasetStorage(
  instances: readonly { id: string; image: string; gitdir: string; baseCommit: string; cache?: object }[],
  options: { docker?: DockerConnection } = {},
): Promise<DatasetStorage & { report: StorageReport }> {
  // The Docker entry (dockerode) is loaded only here: importing deps never loads it.
  const engine = await import('@repoforge/sandbox/docker');
  const docker = engine.dockerClient(options.docker);
  const imageOf = new Map(instances.map((i) => [i.id, i.image]));
  const repoBytes = new Map<string, number>();
  for (const i of instances) repoBytes.set(i.id, await repoBytesAt(i.gitdir, i.baseCommit, i.cache));
  const images = [...new Set(imageOf.values())];
  const local = images.length > 0 && images.every((i) => isLocalEnv(i));
  const layers: ImageLayers[] = [];
  for (const img of images)
    layers.push(local ? await localEnvLayers(img) : await engine.inspectImageLayers(docker, img));
  const report = local ? engine.computeStorageReport(layers) : await engine.storageReport(images, { docker });
  const sizes = new Map(layers.map((l) => [l.image, l.layers.reduce((a, x) => a + x.size, 0)]));
  let cacheBytes = 0;
  for (const g of new Set(instances.map((i) => i.gitdir))) cacheBytes += await dirBytes(g);
  return {
    ...datasetStorage({
      report,
      imageOf,
      imageSizeOf: (i) => sizes.get(i) ?? 0,
      repoBytes,
      repoCacheBytes: cacheBytes,
    }),
    report,
  };
}
