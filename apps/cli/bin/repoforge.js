#!/usr/bin/env node
// A committed entry point: npm links package bins at install time, before `dist/` is built, so the bin must be
// a file that exists in a fresh clone. It runs the built CLI.
import('../dist/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    process.stderr.write('repoforge: the CLI is not built yet: run `npm run build` first\n');
    process.exit(2);
  }
  throw error;
});
