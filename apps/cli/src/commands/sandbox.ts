import { createSandbox, reapLocalSandboxes } from '@repoforge/sandbox';
import { DockerBackend, reapSandboxes } from '@repoforge/sandbox/docker';
import { numberArg } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';

const run: Command = {
  name: 'run',
  summary: 'run one command in a fresh sandbox and exit with its exit code (124 on timeout)',
  usage: 'repoforge sandbox run [options] -- CMD [ARGS...]',
  examples: [
    'repoforge sandbox run -- uname -a',
    'repoforge sandbox run --image repoforge/base:bookworm --timeout 10 --memory 512m -- sh -c "echo hi"',
    'repoforge sandbox run --backend local -- ls',
  ],
  options: {
    image: {
      type: 'string',
      value: 'IMAGE',
      description: 'image to run (docker backend)',
      default: 'repoforge/base:bookworm',
    },
    timeout: { type: 'string', value: 'SECONDS', description: 'kill the command after this many seconds' },
    memory: { type: 'string', value: 'SIZE', description: 'memory limit, e.g. 512m, 2g' },
    cpus: { type: 'string', value: 'N', description: 'CPU limit, e.g. 1.5' },
    pids: { type: 'string', value: 'N', description: 'process limit', default: '512' },
    backend: { type: 'string', value: 'docker|local|auto', description: 'where to run', default: 'auto' },
    network: { type: 'string', value: 'none|host', description: 'network of the sandbox', default: 'none' },
  },
  async run({ io, values, rest, signal, verbose, json }) {
    if (rest.length === 0)
      throw new UsageError(
        'no command given',
        "put the command after '--', e.g. repoforge sandbox run -- ls",
      );
    const backend = String(values.backend);
    if (!['docker', 'local', 'auto'].includes(backend))
      throw new UsageError(`--backend must be docker, local or auto`);
    const network = String(values.network);
    if (network !== 'none' && network !== 'host') throw new UsageError('--network must be none or host');
    const timeout = numberArg(values, 'timeout');
    const logger = cliLogger(io, verbose);
    const sb = await createSandbox({
      backend: backend as 'docker' | 'local' | 'auto',
      image: String(values.image),
      network,
      limits: {
        memory: values.memory as string | undefined,
        cpus: numberArg(values, 'cpus'),
        pids: numberArg(values, 'pids', true),
      },
      logger,
      signal,
    });
    try {
      logger.info('sandbox ready', { backend: sb.backend, id: sb.id });
      const r = await sb.exec(rest, {
        timeoutMs: timeout ? timeout * 1000 : undefined,
        onStdout: json ? undefined : (c) => io.stdout.write(Buffer.from(c).toString()),
        onStderr: json ? undefined : (c) => io.stderr.write(Buffer.from(c).toString()),
        signal,
      });
      if (json) io.stdout.write(`${JSON.stringify({ backend: sb.backend, ...r })}\n`);
      else if (r.timedOut) io.stderr.write(`repoforge: timed out after ${timeout} s\n`);
      else if (r.oomKilled) io.stderr.write('repoforge: killed: out of memory\n');
      else if (r.truncated) io.stderr.write('repoforge: output limit reached; command stopped\n');
      return r.exitCode;
    } finally {
      await sb.close();
    }
  },
};

const reap: Command = {
  name: 'reap',
  summary:
    'remove what crashed runs left behind: RepoForge-labelled containers and local sandbox dirs whose owner is gone',
  examples: [
    'repoforge sandbox reap',
    'repoforge sandbox reap --run-id my-run',
    'repoforge sandbox reap --all',
  ],
  options: {
    'run-id': { type: 'string', value: 'ID', description: "only this run's sandboxes" },
    all: { type: 'boolean', description: 'also those whose owner process is still alive' },
  },
  async run({ io, values, signal, json }) {
    const which = {
      runId: values['run-id'] as string | undefined,
      includeLive: values.all === true,
      signal,
    };
    // Containers when an engine answers; local sandboxes' directories always.
    const engine = await new DockerBackend().available();
    const removed = engine ? await reapSandboxes(which) : [];
    const local = await reapLocalSandboxes(which);
    io.stdout.write(
      json
        ? `${JSON.stringify({ removed, local, engine })}\n`
        : `removed ${removed.length} sandbox container(s)${engine ? '' : ' (no Docker engine answers)'} and ${local.length} local sandbox dir(s)\n`,
    );
    return 0;
  },
};

/** `repoforge sandbox ...` */
export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'run commands in isolated sandboxes (Docker, or local with bubblewrap)',
  subcommands: [run, reap],
};
