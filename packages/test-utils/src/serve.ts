import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What `serveRoutes` answers on one path. */
export interface Route {
  body: string | Uint8Array;
  type?: string;
}

/**
 * An HTTP server on loopback answering fixed routes (404 elsewhere) — a stand-in registry or package index that
 * install steps (network `host`) reach while nothing else is reachable. Records the paths asked for.
 */
export async function serveRoutes(
  routes: Record<string, Route>,
): Promise<{ base: string; server: Server; hits: string[] } & AsyncDisposable> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    res.writeHead(route ? 200 : 404, { 'content-type': route?.type ?? 'application/octet-stream' });
    res.end(route?.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    server,
    hits,
    [Symbol.asyncDispose]: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A commit's files exported with `git archive` into a fresh dir under `into` (what a sandbox gets copied). */
export async function exportCommit(repoDir: string, commit: string, into: string): Promise<string> {
  const work = join(into, `export-${commit.slice(0, 8)}`);
  await mkdir(work, { recursive: true });
  await run('sh', ['-c', `git -C '${repoDir}' archive ${commit} | tar -x -C '${work}'`]);
  return work;
}

/** The part of a sandbox `runInTestbed` uses (test-utils does not depend on @repoforge/sandbox). */
export interface TestbedSandbox {
  copyIn(hostDir: string, dest: string): Promise<void>;
  exec(
    cmd: readonly string[],
    options: { cwd?: string; timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string }>;
}

/** Copies an exported checkout to /testbed and runs `lines` there with bash; returns stdout + stderr. */
export async function runInTestbed(
  sb: TestbedSandbox,
  work: string,
  lines: readonly string[],
): Promise<string> {
  await sb.copyIn(work, '/testbed');
  const r = await sb.exec(['/bin/bash', '-c', lines.join('\n')], { cwd: '/testbed', timeoutMs: 120_000 });
  return r.stdout + r.stderr;
}
