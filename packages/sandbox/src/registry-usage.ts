import { z } from 'zod';
import { SandboxError } from './errors.js';

/** What a registry holds under a prefix: images (repository:tag), distinct blobs, and their stored bytes. */
export interface RegistryUsage {
  registry: string;
  repositories: number;
  images: number;
  /** Layers and configs, each counted once however many images share it. */
  blobs: number;
  /** Their sizes as the registry stores them (compressed layers): what its disk holds for these images. */
  bytes: number;
}

const Catalog = z.object({ repositories: z.array(z.string()).nullable().default([]) });
const TagList = z.object({ tags: z.array(z.string()).nullable().default([]) });
const Blob = z.object({ digest: z.string(), size: z.number().nonnegative() });
const Manifest = z.object({ config: Blob, layers: z.array(Blob) });

const CATALOG_PAGE = 1000;

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

/** Loopback registries answer over plain HTTP (as the engine allows them); any other over HTTPS. */
function baseUrlOf(host: string): string {
  const name = host.replace(/:\d+$/, '');
  const loopback = name === 'localhost' || /^127\./.test(name) || name === '[::1]';
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/**
 * The storage an image registry holds for RepoForge's images under `host:port/prefix` (the `--env-registry`
 * value), from its HTTP API (catalog, tags, manifests): the figure to add to an engine's image bytes when
 * environments are shared through it. Anonymous access only (a registry that wants a login is an error).
 */
export async function registryUsage(
  registry: string,
  options: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<RegistryUsage> {
  const [host, ...path] = registry.replace(/\/+$/, '').split('/');
  const prefix = path.length ? `${path.join('/')}/` : '';
  const base = baseUrlOf(host!);
  const get = async <T>(url: string, schema: z.ZodType<T>, accept?: string): Promise<T> => {
    let res: Response;
    try {
      res = await (options.fetch ?? fetch)(`${base}${url}`, {
        headers: accept ? { accept } : {},
        signal: options.signal,
      });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new SandboxError('REGISTRY_UNREACHABLE', `registry ${host} did not answer ${url}`, {
        cause: error,
      });
    }
    if (!res.ok)
      throw new SandboxError('REGISTRY_UNREACHABLE', `registry ${host} answered ${res.status} to ${url}`);
    return schema.parse(await res.json());
  };
  // The catalog in pages (registries cap a page at 1000 names), each starting after the last name of the one before.
  const all: string[] = [];
  for (let page: string[] = []; ; ) {
    const last = page.at(-1);
    const query = `/v2/_catalog?n=${CATALOG_PAGE}${last ? `&last=${encodeURIComponent(last)}` : ''}`;
    page = (await get(query, Catalog)).repositories ?? [];
    all.push(...page);
    if (page.length < CATALOG_PAGE) break;
  }
  const ours = all.filter((r) => r.startsWith(prefix));
  const blobs = new Map<string, number>();
  let images = 0;
  for (const repo of ours) {
    const { tags } = await get(`/v2/${repo}/tags/list`, TagList);
    for (const tag of tags ?? []) {
      const m = await get(`/v2/${repo}/manifests/${tag}`, Manifest, MANIFEST_TYPES);
      images++;
      for (const b of [m.config, ...m.layers]) blobs.set(b.digest, b.size);
    }
  }
  let bytes = 0;
  for (const size of blobs.values()) bytes += size;
  return { registry, repositories: ours.length, images, blobs: blobs.size, bytes };
}
