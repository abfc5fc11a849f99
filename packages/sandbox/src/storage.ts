import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { type DockerConnection, dockerClient } from './docker/engine.js';

/** One layer of an image, identified by its chain id (the same id wherever the same stack of layers recurs). */
export interface LayerInfo {
  chainId: string;
  diffId: string;
  size: number;
}

/** An image's layers, bottom first. */
export interface ImageLayers {
  image: string;
  id: string;
  layers: LayerInfo[];
}

/** Per-image storage figures. */
export interface ImageStorage {
  image: string;
  id: string;
  /** Bytes of all its layers (what it costs alone). */
  sizeBytes: number;
  /** Bytes of layers no other image in the set uses. */
  uniqueBytes: number;
  /** Bytes of layers it shares with at least one other image in the set. */
  sharedBytes: number;
}

/** Storage of a set of images, counting each shared layer once. */
export interface StorageReport {
  images: ImageStorage[];
  /** Bytes on disk for the whole set (each layer once). */
  totalBytes: number;
  /** Bytes of layers used by two or more images (counted once). */
  sharedBytes: number;
  /** What the set would cost if nothing were shared (sum of image sizes). */
  unsharedBytes: number;
  layerCount: number;
}

// Digest of an empty layer tarball: layers from metadata-only steps.
const EMPTY_LAYER = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** Chain ids as the OCI spec defines them: chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev ? `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}` : d);
  }
  return out;
}

/** Computes the storage report of images from their layers. Pure. */
export function computeStorageReport(images: readonly ImageLayers[]): StorageReport {
  const users = new Map<string, Set<string>>();
  const sizes = new Map<string, number>();
  for (const img of images) {
    for (const l of img.layers) {
      sizes.set(l.chainId, l.size);
      const set = users.get(l.chainId) ?? new Set<string>();
      set.add(img.id);
      users.set(l.chainId, set);
    }
  }
  const seen = new Set<string>();
  const perImage: ImageStorage[] = [];
  for (const img of images) {
    if (seen.has(img.id)) continue; // two tags of one image count once
    seen.add(img.id);
    let size = 0;
    let unique = 0;
    for (const l of img.layers) {
      size += l.size;
      if ((users.get(l.chainId)?.size ?? 0) > 1) continue;
      unique += l.size;
    }
    perImage.push({
      image: img.image,
      id: img.id,
      sizeBytes: size,
      uniqueBytes: unique,
      sharedBytes: size - unique,
    });
  }
  let total = 0;
  let shared = 0;
  for (const [chain, size] of sizes) {
    total += size;
    if ((users.get(chain)?.size ?? 0) > 1) shared += size;
  }
  return {
    images: perImage,
    totalBytes: total,
    sharedBytes: shared,
    unsharedBytes: perImage.reduce((a, i) => a + i.sizeBytes, 0),
    layerCount: sizes.size,
  };
}

/**
 * Reads an image's layers and their sizes from the engine: diff ids from the image config, sizes from its
 * history (non-empty history entries map, in order, to non-empty layers).
 */
export async function inspectImageLayers(docker: Docker, image: string): Promise<ImageLayers> {
  const img = docker.getImage(image);
  const [info, history] = await Promise.all([img.inspect(), img.history() as Promise<{ Size: number }[]>]);
  const diffIds: string[] = info.RootFS?.Layers ?? [];
  const chains = chainIds(diffIds);
  const sized = history
    .slice()
    .reverse()
    .map((h) => h.Size)
    .filter((s) => s > 0);
  const nonEmpty = diffIds.filter((d) => d !== EMPTY_LAYER).length;
  const layers: LayerInfo[] = [];
  let k = 0;
  for (let i = 0; i < diffIds.length; i++) {
    const empty = diffIds[i] === EMPTY_LAYER;
    const size = empty ? 0 : sized.length === nonEmpty ? sized[k++]! : 0;
    layers.push({ chainId: chains[i]!, diffId: diffIds[i]!, size });
  }
  if (sized.length !== nonEmpty && layers.length > 0) {
    // History and layers disagree (squashed or imported oddly): attribute the whole size to the top layer.
    layers[layers.length - 1]!.size = info.Size - layers.slice(0, -1).reduce((a, l) => a + l.size, 0);
  }
  return { image, id: info.Id, layers };
}

/** The storage report of images on the engine (`repoforge storage` shows these figures). */
export async function storageReport(
  images: readonly string[],
  options: { docker?: DockerConnection; signal?: AbortSignal } = {},
): Promise<StorageReport> {
  const docker = dockerClient(options.docker);
  const layers: ImageLayers[] = [];
  for (const image of images) {
    options.signal?.throwIfAborted();
    layers.push(await inspectImageLayers(docker, image));
  }
  return computeStorageReport(layers);
}
