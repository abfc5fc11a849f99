export {
  type EnvRepairProposal,
  openAiCompatibleRepair,
  type ProposeRepair,
  proposalRung,
} from './agent-rung.js';
export {
  type BuiltEnv,
  EnvBuilder,
  type EnvBuilderOptions,
  type EnvProvider,
  envSpecOf,
} from './build/env-builder.js';
export { LocalEnvBuilder, type LocalEnvBuilderOptions } from './build/local-env-builder.js';
export { type SlimResult, slimByAccessTrace } from './build/slim-env.js';
export {
  type BuiltDatasetEnvs,
  buildDatasetEnvs,
  type DatasetEnvOptions,
  goldResolvesIn,
  shareDatasetEnvs,
  slimDatasetEnvs,
} from './dataset-envs.js';
export { DepsError, type DepsErrorCode } from './errors.js';
export {
  classifyFailure,
  DEFAULT_RUNGS,
  dropGitDevDependencies,
  dropUnknownFlag,
  type EnvAttempt,
  type FailureClass,
  jestWorkers,
  legacyPeerDeps,
  type ObtainedEnv,
  obtainEnv,
  otherNodeVersion,
  pythonAlias,
  type Rung,
  runCutShort,
  type VerifyResult,
} from './ladder.js';
export {
  type LineageInstance,
  type LineageOptions,
  type LineageResult,
  shareEnvironments,
} from './lineage.js';
export { iniList, parseIni } from './manifests/ini.js';
export {
  normalizeName,
  parseRequirement,
  parseRequirementsTxt,
  type Requirement,
} from './manifests/requirements.js';
export { readSetupPy, type SetupPyInfo } from './manifests/setup-py.js';
export { NETWORK_ERROR, testsNeedingNetwork } from './network-tests.js';
export { APT_ALIASES, aptPackageFor } from './plan/apt-aliases.js';
export { nativeDependencies } from './plan/native.js';
export { DEFAULT_NODE_VERSION, NODE_VERSIONS, pickNodeVersion, planNode } from './plan/node.js';
export { testCommandFromScript } from './plan/node-script.js';
export { countTestFiles, detectEcosystem, planEnv } from './plan/plan.js';
export { planPython } from './plan/python.js';
export { plannedEnvs } from './planned-envs.js';
export { installedPackages, readTrace, TRACE_ENV, TRACE_FILES, unusedPackages } from './slim.js';
export {
  isManifest,
  type RepoSnapshot,
  resolveCommit,
  snapshotFromDir,
  snapshotFromFiles,
  snapshotFromGit,
} from './snapshot.js';
export { type EnvPlan, envPlanHash, type InstallPlan } from './spec.js';
export {
  type DatasetStorage,
  datasetStorage,
  dirBytes,
  measureDatasetStorage,
  repoBytesAt,
} from './storage.js';
export { verifiedEnv } from './verified-env.js';
