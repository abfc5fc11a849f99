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
  DEFAULT_RUNGS,
  dropGitDevDependencies,
  dropUnknownFlag,
  type EnvAttempt,
  jestWorkers,
  legacyPeerDeps,
  type ObtainedEnv,
  obtainEnv,
  otherNodeVersion,
  pythonAlias,
  type Rung,
  runInstallScripts,
  updateLockfile,
  type VerifyResult,
} from './ladder.js';
export {
  type LineageInstance,
  type LineageOptions,
  type LineageResult,
  shareEnvironments,
} from './lineage.js';
export { testsNeedingNetwork } from './network-tests.js';
export { APT_ALIASES, aptPackageFor } from './plan/apt-aliases.js';
export { DEFAULT_NODE_VERSION, NODE_VERSIONS, pickNodeVersion, planNode } from './plan/node.js';
export { detectEcosystem, planEnv } from './plan/plan.js';
export { planPython } from './plan/python.js';
export { plannedEnvs } from './planned-envs.js';
export {
  type RepoSnapshot,
  resolveCommit,
  snapshotFromDir,
  snapshotFromFiles,
  snapshotFromGit,
  withPatchedDependencies,
} from './snapshot.js';
export { type EnvPlan, envPlanHash, type InstallPlan } from './spec.js';
export { type DatasetStorage, datasetStorage, measureDatasetStorage } from './storage.js';
export { verifiedEnv, verifyAsEvalRuns } from './verified-env.js';
