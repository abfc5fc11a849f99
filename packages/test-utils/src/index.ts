export { repoRoot, sharedFixture, sharedFixturesDir, skipLoudly } from './fixtures.js';
export {
  baseImage,
  dockerAnswers,
  dockerSocketPath,
  redisAnswers,
  redisUrl,
  skipWithoutDocker,
  skipWithoutFixturesOrDocker,
  skipWithoutRedis,
  skipWithoutBwrap,
  bwrapAnswers,
  registryAnswers,
  registryHost,
  skipWithoutRegistry,
} from './infra.js';
export { firstStdout } from './child.js';
export { tempDir } from './temp.js';
export { type CommitSpec, gitDiff, gitIn, makeGitRepo } from './git-repo.js';
export { HOSTILE, makeNodeSample, makePythonSample, sampleEnvSpecs } from './sample-repos.js';
export { serveGitHttp } from './git-http.js';
export { exportCommit, type Route, runInTestbed, serveRoutes, type TestbedSandbox } from './serve.js';
export { type NpmPackage, npmAppSpec, packNpm, serveNpmRegistry } from './npm-registry.js';
export { type ChatReply, type ChatRequestBody, serveChat } from './chat-server.js';
