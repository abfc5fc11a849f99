/**
 * `@repoforge/sandbox`: sandboxes behind one interface, local (bubblewrap) backend, pools, types. The Docker
 * backend lives at `@repoforge/sandbox/docker` and is loaded only when a Docker sandbox is asked for.
 */
export { hostCaFile, installCa } from './ca.js';
export { createSandbox, resolveBackend } from './create-sandbox.js';
export { dockerfileLayerPrefixes } from './dockerfile-layers.js';
export { checkExecResult, ExecError, isEngineFault, SandboxError, type SandboxErrorCode } from './errors.js';
export {
  type BuildLease,
  type ImageRegistryOptions,
  isRegistryRef,
  isShareable,
  remoteRefOf,
  type ShareStats,
} from './image-share.js';
export { DEFAULT_IMAGE, type ImageOps, lazyImageBuilder } from './images.js';
export { parseBytes } from './limits.js';
export { isLocalEnv, LOCAL_ENV_MANIFEST, LocalEnvManifest, readLocalEnv } from './local/env-manifest.js';
export { LocalBackend, type LocalBackendOptions } from './local/local-backend.js';
export { type LocalReapOptions, ownerAlive, reapLocalSandboxes } from './local/local-reaper.js';
export { type PoolLease, SandboxPool, type SandboxPoolOptions } from './pool.js';
export { type ReapLeftovers, reapLeftoversBestEffort } from './reap-leftovers.js';
export { type RegistryUsage, registryUsage } from './registry-usage.js';
export { readTarFiles, type TarFile } from './tar.js';
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
