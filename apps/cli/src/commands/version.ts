import packageJson from '../../package.json' with { type: 'json' };
import type { Command } from '../command.js';

/** `repoforge version`: the CLI's version and Node's. */
export const versionCommand: Command = {
  name: 'version',
  summary: 'print the version of repoforge and of Node.js',
  async run({ io, json }) {
    const info = { repoforge: packageJson.version, node: process.versions.node };
    io.stdout.write(json ? `${JSON.stringify(info)}\n` : `repoforge ${info.repoforge} (node ${info.node})\n`);
    return 0;
  },
};
