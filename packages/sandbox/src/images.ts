import type { ImageBuilder, ImageBuilderOptions } from './image-builder.js';

/** The image sandboxes use when none is given (built by tools/setup-docker.sh). */
export const DEFAULT_IMAGE = 'repoforge/base:bookworm';

/** What environment builders ask of an image engine: `ImageBuilder`'s operations, or a fake in tests. */
export type ImageOps = Pick<ImageBuilder, 'exists' | 'pull' | 'build' | 'remove' | 'ensure' | 'shareStats'>;

/**
 * An ImageBuilder that loads the Docker entry (and dockerode) on its first call, so a package that may
 * build images (harness, deps) can be imported without loading Docker.
 */
export function lazyImageBuilder(options: ImageBuilderOptions = {}): ImageOps {
  let real: Promise<ImageBuilder> | undefined;
  let loaded: ImageBuilder | undefined;
  const builder = () => {
    real ??= import('./image-builder.js').then((m) => {
      loaded = new m.ImageBuilder(options);
      return loaded;
    });
    return real;
  };
  return {
    exists: async (...args) => (await builder()).exists(...args),
    pull: async (...args) => (await builder()).pull(...args),
    build: async (...args) => (await builder()).build(...args),
    remove: async (...args) => (await builder()).remove(...args),
    ensure: async (...args) => (await builder()).ensure(...args),
    get shareStats() {
      return loaded?.shareStats ?? { pulled: [], pushed: [], built: [] };
    },
  };
}
