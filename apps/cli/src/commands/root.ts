import type { Command } from '../command.js';
import { versionCommand } from './version.js';

/** The `repoforge` command tree. Each package's commands join it as the package lands. */
export const rootCommand: Command = {
  name: 'repoforge',
  summary: 'RepoForge: real git history into executable SWE tasks, sandboxed evaluation, labels and rollouts.',
  examples: ['repoforge version', 'repoforge <command> --help'],
  subcommands: [versionCommand],
};
