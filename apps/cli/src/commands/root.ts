import type { Command } from '../command.js';
import { datagenCommand } from './datagen.js';
import { envCommand, storageCommand } from './env.js';
import { evalCommand } from './eval.js';
import { sandboxCommand } from './sandbox.js';
import { versionCommand } from './version.js';

/** The `repoforge` command tree. Each package's commands join it as the package lands. */
export const rootCommand: Command = {
  name: 'repoforge',
  summary:
    'RepoForge: real git history into executable SWE tasks, sandboxed evaluation, labels and rollouts.',
  examples: ['repoforge sandbox run -- uname -a', 'repoforge <command> --help'],
  subcommands: [datagenCommand, envCommand, evalCommand, sandboxCommand, storageCommand, versionCommand],
};
