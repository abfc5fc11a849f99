import type { Command } from '../command.js';
import { datagenCommand } from './datagen.js';
import { demoCommand } from './demo.js';
import { envCommand, storageCommand } from './env.js';
import { evalCommand } from './eval.js';
import { reportCommand } from './report.js';
import { rolloutCommand } from './rollout.js';
import { sandboxCommand } from './sandbox.js';
import { spiceCommand } from './spice.js';
import { versionCommand } from './version.js';
import { workerCommand } from './worker.js';

/** The `repoforge` command tree. Each package's commands join it as the package lands. */
export const rootCommand: Command = {
  name: 'repoforge',
  summary:
    'RepoForge: real git history into executable SWE tasks, sandboxed evaluation, labels and rollouts.',
  examples: [
    'repoforge demo',
    'repoforge eval run --dataset d.jsonl --predictions gold --run-id r1',
    'repoforge <command> --help',
  ],
  subcommands: [
    demoCommand,
    datagenCommand,
    envCommand,
    evalCommand,
    reportCommand,
    rolloutCommand,
    sandboxCommand,
    spiceCommand,
    storageCommand,
    versionCommand,
    workerCommand,
  ],
};
