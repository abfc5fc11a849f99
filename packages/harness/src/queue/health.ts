import { createServer } from 'node:http';

/** What a worker says of itself on `/healthz`. */
export interface WorkerHealth {
  roles: string[];
  /** Jobs finished by this process, per role. */
  done: Record<string, number>;
  startedAt: string;
  lastJobAt?: string;
  /** False once the worker drains (SIGTERM): a load balancer or supervisor stops sending it work. */
  accepting: boolean;
}

/**
 * Serves `GET /healthz` (200 with the health JSON while accepting jobs, 503 while draining) for systemd,
 * Kubernetes or a container runtime's health check. Port 0 picks a free one.
 */
export async function serveHealth(
  port: number,
  health: () => WorkerHealth,
  host = '127.0.0.1',
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res.writeHead(404).end();
      return;
    }
    const h = health();
    res.writeHead(h.accepting ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
