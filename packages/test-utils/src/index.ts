export { repoRoot, sharedFixture, sharedFixturesDir, skipLoudly } from './fixtures.js';
export {
  baseImage,
  dockerAnswers,
  dockerSocketPath,
  redisAnswers,
  redisUrl,
  skipWithoutDocker,
  skipWithoutRedis,
} from './infra.js';
export { tempDir } from './temp.js';
