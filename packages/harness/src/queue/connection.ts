import { connect } from 'node:net';
import { HarnessError } from '../errors.js';

/** ioredis connection options from `redis://[user:pass@]host:port[/db]`. */
export function redisConnection(url: string): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
} {
  let u: URL;
  try {
    u = new URL(url);
  } catch (error) {
    throw new HarnessError('INPUT_INVALID', `--queue: not a URL: ${url} (expected redis://HOST:PORT[/DB])`, {
      cause: error,
    });
  }
  if (u.protocol !== 'redis:')
    throw new HarnessError('INPUT_INVALID', `--queue: expected redis://HOST:PORT[/DB], got ${url}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new HarnessError('INPUT_INVALID', `--queue: bad database number in ${url}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** Throws QUEUE_UNREACHABLE naming the URL when nothing answers there within `timeoutMs`. */
export function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const { host, port } = redisConnection(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(new HarnessError('QUEUE_UNREACHABLE', `no Redis answers at ${url} (${why})`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.on('error', (e) => fail(e.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      socket.destroy();
      // +PONG, or -NOAUTH when a password is needed: either way a Redis answered.
      if (/^[+-]/.test(d.toString())) resolve();
      else reject(new HarnessError('QUEUE_UNREACHABLE', `${url} answered, but not as Redis`));
    });
  });
}

/** Loads BullMQ (an optional peer dependency) with a clear error when it is not installed. */
export async function loadBullMQ(): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (error) {
    throw new HarnessError(
      'QUEUE_UNAVAILABLE',
      'distributed evaluation needs the bullmq package: npm install bullmq',
      { cause: error },
    );
  }
}

/** Queue name all RepoForge evaluation jobs share (job ids carry the run id). */
export const DEFAULT_QUEUE_NAME = 'repoforge-eval';

/** A job id from run id + instance id: the same pair always maps to the same job, so re-enqueueing is a no-op. */
export function jobIdFor(runId: string, instanceId: string): string {
  return `${runId}__${instanceId}`.replace(/[^\w.-]/g, '_');
}
