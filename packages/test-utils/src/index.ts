export { type ChatReply, type ChatRequestBody, fixCalcTurn, serveChat } from './chat-server.js';
export { firstStdout } from './child.js';
export {
  noopPredictions,
  repoRoot,
  SWEBENCH_PY7_CI_IDS,
  sharedFixture,
  sharedFixturesDir,
  skipLoudly,
} from './fixtures.js';
export { serveGitHttp } from './git-http.js';
export { type CommitSpec, gitDiff, gitIn, makeGitRepo } from './git-repo.js';
export { loadsDockerode } from './import-graph.js';
export {
  baseImage,
  bwrapAnswers,
  dockerAnswers,
  dockerSocketPath,
  redisAnswers,
  redisUrl,
  registryAnswers,
  registryHost,
  skipWithoutBwrap,
  skipWithoutDocker,
  skipWithoutFixturesOrDocker,
  skipWithoutRedis,
  skipWithoutRegistry,
} from './infra.js';
export { type NpmPackage, npmAppSpec, packNpm, serveNpmRegistry } from './npm-registry.js';
export { NOOP_PATCH } from './patches.js';
export {
  type BuildImage,
  type PypiStandin,
  type PypiStandinOptions,
  startPypiStandin,
} from './pypi-standin.js';
export { HOSTILE, makeNodeSample, makePythonSample, PY_ATTACK, sampleEnvSpecs } from './sample-repos.js';
export { exportCommit, type Route, runInTestbed, serveRoutes, type TestbedSandbox } from './serve.js';
export { tempDir } from './temp.js';
