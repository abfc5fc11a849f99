import { resolve } from 'node:path';
import { runMineWorker } from '@repoforge/datagen';
import { plannedEnvs } from '@repoforge/deps';
import { RepoCache, runQueueWorker, serveHealth, type WorkerHealth } from '@repoforge/harness';
import { runRolloutWorker } from '@repoforge/rl-scaffold';
import type { EnvSpec, Instance } from '@repoforge/schema';
import { numberArg } from './args.js';
import { backendKit } from './backend.js';
import { type CliIO, type OptionSpec, type ParsedValues, UsageError } from './command.js';
import { cliLogger } from './logger.js';
import { modelRewriter } from './rewriter.js';
import { ENV_REGISTRY_OPTION, type SharedImages, sharedImages } from './shared-images.js';

/** The kinds of queued work a worker process can take. */
export const WORKER_ROLES = ['eval', 'mine', 'rollout'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

/** The options every worker command has: its queue, jobs at once, repo cache, image registry, health port. */
export function workerOptions(jobs: string): Record<string, OptionSpec> {
  return {
    queue: { type: 'string', value: 'redis://HOST:PORT[/DB]', description: 'the queue to work for' },
    concurrency: { type: 'string', value: 'N', description: `${jobs} at once, per role`, default: '1' },
    'repo-cache': {
      type: 'string',
      value: 'DIR',
      description: 'repo clones (repos given as URLs are cloned there)',
      default: '.repoforge/repos',
    },
    'env-registry': ENV_REGISTRY_OPTION,
    'lock-timeout': {
      type: 'string',
      value: 'SECONDS',
      description: 'a job whose worker died (kill -9, a lost machine) goes to another worker after this',
      default: '60',
    },
    'health-port': {
      type: 'string',
      value: 'PORT',
      description: 'serve GET /healthz on 127.0.0.1:PORT (200 while taking jobs, 503 while draining)',
    },
    'rewrite-statements': {
      type: 'boolean',
      description:
        'mining: rewrite commit messages with an OpenAI-compatible model ($OPENAI_BASE_URL, $OPENAI_MODEL)',
    },
  };
}

interface RoleContext {
  io: CliIO;
  values: ParsedValues;
  url: string;
  logger: ReturnType<typeof cliLogger>;
  shared: SharedImages;
  /** Called as a job starts and ends, for the log and the health figures. */
  onJob: (role: WorkerRole, e: { type: string; id?: string; result?: unknown }) => void;
}

async function startRole(role: WorkerRole, ctx: RoleContext): Promise<{ close(): Promise<void> }> {
  const { values, io, url, logger, shared } = ctx;
  const concurrency = numberArg(values, 'concurrency', true);
  const lock = lockTimes(values);
  const repoCache = resolve(io.cwd, String(values['repo-cache']));
  if (role === 'eval')
    return runQueueWorker({
      url,
      ...lock,
      images: shared.images,
      concurrency,
      repoSource: new RepoCache({ cacheDir: repoCache }),
      logger,
      onProgress: (e) => ctx.onJob('eval', e),
    });
  const kit = await backendKit('docker', logger, shared.images);
  if (role === 'rollout') {
    const repoSource = new RepoCache({ cacheDir: repoCache });
    const planned = plannedEnvs(repoSource, logger, kit.envs);
    return runRolloutWorker({
      url,
      ...lock,
      concurrency,
      repoSource,
      envFor: async (inst, signal) => imageSpec(inst, (await planned.resolveEnv(inst, signal)).spec),
      createSandbox: kit.createSandbox,
      reapLeftovers: kit.reapLeftovers,
      apiKey: io.env.OPENAI_API_KEY,
      logger,
      onProgress: (e) => ctx.onJob('rollout', e),
    });
  }
  return runMineWorker({
    url,
    ...lock,
    concurrency,
    cacheDir: repoCache,
    envBuilder: kit.envs,
    createSandbox: kit.createSandbox,
    reapLeftovers: kit.reapLeftovers,
    statement: values['rewrite-statements'] === true ? { rewrite: modelRewriter() } : undefined,
    logger,
    onProgress: (e) => ctx.onJob('mine', e),
  });
}

/** `--lock-timeout`: a job's lock lasts this long without renewal; stalled jobs are looked for twice as often. */
function lockTimes(values: ParsedValues): { lockDurationMs: number; stalledIntervalMs: number } {
  const seconds = numberArg(values, 'lock-timeout', true) ?? 60;
  return { lockDurationMs: seconds * 1000, stalledIntervalMs: Math.min(30_000, (seconds * 1000) / 2) };
}

/** The spec, when it names an image (an episode needs one). */
export function imageSpec(inst: Instance, spec: EnvSpec): EnvSpec {
  if (!spec.image)
    throw new UsageError(
      `the environment of ${inst.instance_id} has no image (dockerfile specs need 'repoforge env build')`,
    );
  return spec;
}

/** `--roles eval,mine,rollout`, checked. */
export function parseRoles(value: unknown): WorkerRole[] {
  const roles = String(value ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(WORKER_ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || unknown.length)
    throw new UsageError(
      `--roles: expected a comma-separated list of ${WORKER_ROLES.join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`,
    );
  return [...new Set(roles)] as WorkerRole[];
}

/**
 * A worker process for `roles`: starts each, serves /healthz when asked, and runs until SIGINT/SIGTERM (the
 * signal); then it stops taking jobs, finishes the ones in hand (others take the rest), and says what image
 * sharing did.
 */
export async function runWorkers(
  roles: WorkerRole[],
  ctx: { io: CliIO; values: ParsedValues; signal: AbortSignal; verbose: boolean },
): Promise<0> {
  const { io, values, signal } = ctx;
  const url = values.queue;
  if (typeof url !== 'string') throw new UsageError('--queue is required');
  const healthPort = numberArg(values, 'health-port', true);
  const logger = cliLogger(io, ctx.verbose);
  const shared = await sharedImages(values['env-registry'], logger, url);
  const health: WorkerHealth = { roles, done: {}, startedAt: new Date().toISOString(), accepting: true };
  const onJob: RoleContext['onJob'] = (role, e) => {
    if (e.type === 'working') io.stderr.write(`[worker] start ${e.id} (${role})\n`);
    if (e.type !== 'done') return;
    health.done[role] = (health.done[role] ?? 0) + 1;
    health.lastJobAt = new Date().toISOString();
    const verdict =
      typeof e.result === 'string'
        ? ` ${e.result}`
        : typeof e.result === 'number'
          ? ` reward ${e.result}`
          : '';
    io.stderr.write(`[worker] done ${e.id}${verdict} (${role}, ${health.done[role]} done)\n`);
  };
  const handles = [];
  for (const role of roles) handles.push(await startRole(role, { io, values, url, logger, shared, onJob }));
  const server = healthPort !== undefined ? await serveHealth(healthPort, () => health) : undefined;
  io.stderr.write(
    `[worker] ready on ${url} (${roles.join(', ')})${server ? `, health on 127.0.0.1:${server.port}/healthz` : ''}\n`,
  );
  await new Promise<void>((r) =>
    signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }),
  );
  health.accepting = false;
  io.stderr.write('[worker] stopping: finishing the jobs in hand\n');
  await Promise.all(handles.map((h) => h.close()));
  await server?.close();
  await shared.close();
  const sharing = shared.summary();
  if (sharing) io.stderr.write(`[worker] ${sharing}\n`);
  return 0;
}
