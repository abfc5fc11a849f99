import { redisBuildLease } from '@repoforge/harness';
import { type ImageOps, isRegistryRef, type Logger, lazyImageBuilder } from '@repoforge/sandbox';
import { type OptionSpec, UsageError } from './command.js';

/** The `--env-registry` option of commands that build environments. */
export const ENV_REGISTRY_OPTION: OptionSpec = {
  type: 'string',
  value: 'HOST:PORT/PREFIX',
  description:
    'share environment images: pull them from this registry instead of building, push the ones built here',
};

/** `--env-registry`, checked (a usage error before anything runs when it names no registry). */
export function envRegistryArg(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const registry = String(value);
  if (!isRegistryRef(registry))
    throw new UsageError(
      `--env-registry: expected HOST:PORT/PREFIX (e.g. 127.0.0.1:5000/repoforge), got '${registry.slice(0, 200)}'`,
    );
  return registry;
}

/** The image engine a command builds with: Docker's, sharing through `--env-registry` when it is given. */
export interface SharedImages {
  /** Undefined without --env-registry: the packages' defaults apply. */
  images?: ImageOps;
  /** One line on what sharing did (pulled, pushed, built), or undefined without a registry. */
  summary(): string | undefined;
  close(): Promise<void>;
}

/**
 * The image engine for `--env-registry`; with a queue URL, builds of one image are serialized across the
 * cluster by a lease in that Redis, so two workers racing for it build it once.
 */
export async function sharedImages(value: unknown, logger: Logger, queueUrl?: string): Promise<SharedImages> {
  const registry = envRegistryArg(value);
  if (registry === undefined) return { summary: () => undefined, close: async () => {} };
  const lease = queueUrl ? await redisBuildLease(queueUrl) : undefined;
  const images = lazyImageBuilder({ logger, registry: { registry, lease } });
  return {
    images,
    summary: () => {
      const s = images.shareStats;
      return `environment registry ${registry}: ${s.pulled.length} pulled, ${s.pushed.length} pushed, ${s.built.length} built here`;
    },
    close: async () => lease?.close(),
  };
}
