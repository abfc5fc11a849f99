import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { sharedFixturesDir, skipLoudly } from './fixtures.js';

/** The Docker socket tests use ($DOCKER_HOST unix path or the default). */
export const dockerSocketPath = process.env.DOCKER_HOST?.startsWith('unix://')
  ? process.env.DOCKER_HOST.slice('unix://'.length)
  : '/var/run/docker.sock';

/** The Redis URL tests use. */
export const redisUrl = process.env.REPOFORGE_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The base image tools/setup-docker.sh builds. */
export const baseImage = process.env.REPOFORGE_BASE_IMAGE ?? 'repoforge/base:bookworm';

/** True when an HTTP GET (on a unix socket or host:port) answers 200 within the timeout. */
function httpAnswers(
  target: { socketPath: string } | { host: string; port: number },
  path: string,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, path, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** True when a Docker engine answers `GET /_ping` on the socket. */
export function dockerAnswers(timeoutMs = 2000): Promise<boolean> {
  return httpAnswers({ socketPath: dockerSocketPath }, '/_ping', timeoutMs);
}

/** True when Redis answers PING at `url`. */
export function redisAnswers(url = redisUrl, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * Decides whether tests that need an engine run. In CI (CI=true) a missing engine is an error, never a
 * silent skip; elsewhere the tests skip with a loud notice.
 */
async function needs(what: string, answers: Promise<boolean>, setup: string): Promise<boolean> {
  if (await answers) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${what} is required in CI but does not answer; run ${setup} first`);
  }
  return skipLoudly(`${what} does not answer: its tests are SKIPPED (run ${setup} to enable them)`);
}

/** For `describe.skipIf(await skipWithoutDocker())`. */
export const skipWithoutDocker = () =>
  needs('the Docker engine', dockerAnswers(), 'bash tools/setup-docker.sh');
/** For `describe.skipIf(await skipWithoutRedis())`. */
export const skipWithoutRedis = () =>
  needs(`Redis at ${redisUrl}`, redisAnswers(), 'bash tools/setup-redis.sh');

/** Whether bubblewrap can make namespaces here (the local backend's isolation). */
export function bwrapAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      'bwrap',
      ['--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '/bin/true'],
      { timeout: 5000 },
      (e) => resolve(!e),
    );
  });
}
/** For `describe.skipIf(await skipWithoutBwrap())`: the local backend's environment tests. */
export const skipWithoutBwrap = () =>
  needs('bubblewrap (bwrap) with the Python test tools', localToolsReady(), 'bash tools/setup-local.sh');

async function localToolsReady(): Promise<boolean> {
  if (!(await bwrapAnswers())) return false;
  return new Promise((resolve) =>
    execFile('/usr/bin/python3', ['-c', 'import pytest'], { timeout: 10_000 }, (e) => resolve(!e)),
  );
}

/** The loopback image registry tools/setup-registry.sh starts (the stand-in for Docker Hub). */
export const registryHost = process.env.REPOFORGE_REGISTRY ?? '127.0.0.1:5000';

/** True when the registry answers `GET /v2/`. */
export function registryAnswers(host = registryHost, timeoutMs = 2000): Promise<boolean> {
  const [hostname, port] = host.split(':');
  return httpAnswers({ host: hostname!, port: Number(port ?? 80) }, '/v2/', timeoutMs);
}
/** For `describe.skipIf(await skipWithoutRegistry())`: the image-pull tests. */
export const skipWithoutRegistry = () =>
  needs(`an image registry at ${registryHost}`, registryAnswers(), 'bash tools/setup-registry.sh');

/**
 * For real-data tests that also need Docker: skips loudly without ../shared/fixtures (any machine may lack it),
 * and like skipWithoutDocker otherwise (an error in CI).
 */
export async function skipWithoutFixturesOrDocker(what: string): Promise<boolean> {
  if (!sharedFixturesDir()) return skipLoudly(`shared fixtures absent: ${what} SKIPPED`);
  return skipWithoutDocker();
}
