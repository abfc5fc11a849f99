import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Trajectory } from '@repoforge/schema';
import type { RolloutGroup } from './engine.js';

/** One JSONL line per group (what a trainer tails from a file or stdout). */
export const groupLine = (g: RolloutGroup) => `${JSON.stringify(g)}\n`;

/**
 * SFT export by rejection sampling: only resolved trajectories (FAIL_TO_PASS and PASS_TO_PASS pass: RepoForge's
 * rule), as OpenAI-messages records with tool calls, ready for TRL / verl SFT.
 */
export function toSftRecord(
  t: Trajectory,
): { messages: Trajectory['messages']; tools: unknown[]; instance_id: string } | undefined {
  if (t.resolved !== true) return undefined;
  return { instance_id: t.instance_id, messages: t.messages, tools: t.tools ?? [] };
}

/**
 * Serves groups to a trainer over HTTP on loopback: `GET /groups?max=N&wait=SECONDS` long-polls until at least one
 * group is there (or the wait ends), then returns up to N as a JSON array. `GET /health` answers ok.
 */
export class GroupServer {
  private readonly buffer: RolloutGroup[] = [];
  private readonly waiting: (() => void)[] = [];
  private server?: Server;
  closed = false;

  push(group: RolloutGroup): void {
    this.buffer.push(group);
    for (const w of this.waiting.splice(0)) w();
  }

  /** Groups waiting for the trainer (the engine's backpressure can watch this). */
  get pending(): number {
    return this.buffer.length;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') return void res.end('ok');
      if (url.pathname !== '/groups') {
        res.writeHead(404);
        return void res.end();
      }
      const max = Math.max(1, Number(url.searchParams.get('max') ?? 1));
      const wait = Math.min(300, Number(url.searchParams.get('wait') ?? 30)) * 1000;
      if (this.buffer.length === 0 && !this.closed) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          this.waiting.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(this.buffer.splice(0, max)));
    });
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
