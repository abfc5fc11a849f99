#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The only place that exits the process or touches the real streams.
const controller = new AbortController();
let interrupted = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++interrupted > 1) process.exit(130);
    process.stderr.write(`\nrepoforge: ${sig} received, stopping (again to force)\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  });
}
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
runCli(process.argv.slice(2), io, { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`repoforge: internal error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
