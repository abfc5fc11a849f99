export { hostCaFile, installCa } from './ca.js';
export { createSandbox, resolveBackend } from './create-sandbox.js';
export { DEFAULT_IMAGE, DockerBackend } from './docker/docker-backend.js';
export { type DockerConnection, dockerClient, engineAnswers, pingEngine } from './docker/engine.js';
export { RUN_ID_LABEL, SANDBOX_LABEL } from './docker/labels.js';
export { checkExecResult, ExecError, SandboxError, type SandboxErrorCode } from './errors.js';
export { shellQuote } from './exec-wrapper.js';
export {
  type BuildProgress,
  type BuildResult,
  ImageBuilder,
  type ImageBuilderOptions,
  type ImageSpec,
  imageSpecHash,
  type RegistryAuth,
  registryAuthFor,
  registryOf,
} from './image-builder.js';
export { parseBytes } from './limits.js';
export { LocalBackend, type LocalBackendOptions } from './local/local-backend.js';
export { type LocalReapOptions, reapLocalSandboxes } from './local/local-reaper.js';
export { isLocalEnv, LOCAL_ENV_MANIFEST, LocalEnvManifest, readLocalEnv } from './local/env-manifest.js';
export { type PoolLease, SandboxPool, type SandboxPoolOptions } from './pool.js';
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
export type {
  ExecOptions,
  ExecResult,
  FileInput,
  Limits,
  Logger,
  Sandbox,
  SandboxBackend,
  SandboxOptions,
} from './types.js';
