import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Route, serveRoutes } from './serve.js';
import { tempDir } from './temp.js';

const run = promisify(execFile);

/** Builds an image from a Dockerfile and in-memory context (an ImageBuilder; test-utils has no Docker client). */
export type BuildImage = (spec: { dockerfile: string; context?: Record<string, string> }) => Promise<string>;

export interface PypiStandinOptions {
  build: BuildImage;
  /** The Debian image both images start from (tools/setup-docker.sh's). */
  base: string;
  /** The registry on loopback the stand-in `python:<x.y>` image is pushed to, e.g. 127.0.0.1:5000. */
  registry: string;
  /** Debian packages whose Python distributions the index serves (their dependencies come along). */
  debianPackages: readonly string[];
}

export interface PypiStandin extends AsyncDisposable {
  /** The PEP 503 simple index, e.g. http://127.0.0.1:41234/simple/. */
  indexUrl: string;
  /** `<registry>/library/python:{python}`, every version served by the one 3.11 image (see below). */
  pythonImage: string;
  /** The image pushed (and removed from the engine, so using it means pulling it). */
  pushed: string;
  /** The wheel files served. */
  wheels: string[];
  /** Paths the index was asked for. */
  hits: string[];
}

const WHEELIFY = new URL('./pypi-standin/wheelify.py', import.meta.url);

/** The wheel builder: the Debian packages installed, then every distribution they hold made a wheel (and tzdata). */
function wheelsDockerfile(options: PypiStandinOptions): string {
  const apt = 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends';
  return [
    `FROM ${options.base}`,
    `RUN apt-get update -qq && ${apt} python3 tzdata ${options.debianPackages.join(' ')} > /dev/null`,
    'COPY wheelify.py /wheelify.py',
    'RUN python3 /wheelify.py /wheels',
    '',
  ].join('\n');
}

/**
 * Docker Hub's `python:3.11` as far as the pip recipes use it: Debian, python/pip on PATH, pip allowed to
 * install into the system, plus the shared libraries the C-extension wheels need (a manylinux wheel
 * bundles them; these wheels come from Debian and link against Debian's).
 */
function pythonDockerfile(base: string, runtimePackages: string[]): string {
  return [
    `FROM ${base}`,
    `RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-pip python3-venv python-is-python3 git ${runtimePackages.join(' ')} > /dev/null && rm -rf /var/lib/apt/lists/* && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED && ln -sf /usr/bin/pip3 /usr/local/bin/pip`,
    '',
  ].join('\n');
}

/** Copies `dir` out of `image` into a fresh host dir (the docker CLI: create, cp, rm). */
async function copyFromImage(image: string, dir: string, into: string): Promise<string> {
  const { stdout } = await run('docker', ['create', image, 'true']);
  const id = stdout.trim();
  try {
    await run('docker', ['cp', `${id}:${dir}`, into]);
  } finally {
    await run('docker', ['rm', '-f', id]).catch(() => undefined);
  }
  return join(into, dir.split('/').pop()!);
}

const normalize = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

/** PEP 503 routes for the wheels in `dir`: /simple/, /simple/<project>/ and /files/<wheel>. */
async function indexRoutes(dir: string, wheels: string[]): Promise<Record<string, Route>> {
  const routes: Record<string, Route> = {};
  const byProject = new Map<string, string[]>();
  for (const wheel of wheels) {
    const body = await readFile(join(dir, wheel));
    const sha = createHash('sha256').update(body).digest('hex');
    routes[`/files/${wheel}`] = { body, type: 'application/octet-stream' };
    const project = normalize(wheel.split('-')[0]!);
    byProject.set(project, [
      ...(byProject.get(project) ?? []),
      `<a href="/files/${wheel}#sha256=${sha}">${wheel}</a>`,
    ]);
  }
  const html = (links: string[]) => ({
    body: `<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>\n`,
    type: 'text/html',
  });
  for (const [project, links] of byProject) routes[`/simple/${project}/`] = html(links);
  routes['/simple/'] = html([...byProject.keys()].map((p) => `<a href="/simple/${p}/">${p}</a>`));
  return routes;
}

/**
 * A loopback stand-in for PyPI and Docker Hub's Python images, for machines that reach neither: wheels made
 * from Debian's python3-* packages behind a PEP 503 index on 127.0.0.1, and a Debian python3 (3.11) image
 * pushed to a loopback registry as `library/python:3.11`. Only 3.11 exists, so `pythonImage` serves every
 * version with it: tests that need SWE-bench's exact Python pick instances whose recipe asks for 3.11.
 */
export async function startPypiStandin(options: PypiStandinOptions): Promise<PypiStandin> {
  const work = await tempDir('repoforge-pypi-standin-');
  try {
    const wheelsImage = await options.build({
      dockerfile: wheelsDockerfile(options),
      context: { 'wheelify.py': await readFile(WHEELIFY, 'utf8') },
    });
    const dir = await copyFromImage(wheelsImage, '/wheels', work.path);
    const runtime = (await readFile(join(dir, 'runtime-packages.txt'), 'utf8')).split('\n').filter(Boolean);
    const python = await options.build({ dockerfile: pythonDockerfile(options.base, runtime) });
    const pushed = `${options.registry}/library/python:3.11`;
    await run('docker', ['tag', python, pushed]);
    await run('docker', ['push', '--quiet', pushed]);
    await run('docker', ['rmi', pushed]);
    const wheels = (await readdir(dir)).filter((f) => f.endsWith('.whl')).sort();
    const server = await serveRoutes(await indexRoutes(dir, wheels));
    return {
      indexUrl: `${server.base}/simple/`,
      pythonImage: `${options.registry}/library/python:3.11`,
      pushed,
      wheels,
      hits: server.hits,
      async [Symbol.asyncDispose]() {
        await server[Symbol.asyncDispose]();
        await work[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await work[Symbol.asyncDispose]();
    throw error;
  }
}
