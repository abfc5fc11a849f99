/**
 * `@repoforge/sandbox/docker`: the Docker backend and everything that talks to a Docker engine (dockerode).
 * Kept apart from the main entry so that importing `@repoforge/sandbox` (local sandboxes, pools, types)
 * never loads dockerode; `createSandbox({ backend: 'docker' })` loads this entry on first use.
 */
export { DEFAULT_IMAGE, DockerBackend } from './docker/docker-backend.js';
export { type DockerConnection, dockerClient, engineAnswers, pingEngine } from './docker/engine.js';
export { RUN_ID_LABEL, SANDBOX_LABEL } from './docker/labels.js';
export {
  type BuildResult,
  ImageBuilder,
  type ImageBuilderOptions,
  type ImageSpec,
  imageSpecHash,
  type RegistryAuth,
  registryAuthFor,
  registryOf,
} from './image-builder.js';
export { type ReapOptions, reapSandboxes } from './reaper.js';
export {
  chainIds,
  computeStorageReport,
  type ImageLayers,
  type ImageStorage,
  inspectImageLayers,
  type LayerInfo,
  type StorageReport,
  storageReport,
} from './storage.js';
