import type { RepoSnapshot } from '../snapshot.js';

const CONFIGS = ['karma.conf.js', 'karma.conf.cjs', 'karma.config.js', 'karma.conf.ts', 'test/karma.conf.js'];

/**
 * Debian's Chromium for karma, headless, as the test container needs it: no sandbox (tests run as root), no
 * background networking (the container has no network), /tmp instead of a small /dev/shm. A wrapper on
 * CHROME_BIN, which karma-chrome-launcher reads, so the repo's own launchers work unchanged.
 */
const CHROMIUM_PRE_TEST = [
  `printf '#!/bin/sh\\nexec /usr/bin/chromium --no-sandbox --disable-dev-shm-usage --disable-background-networking --disable-gpu --no-first-run "$@"\\n' > /tmp/chromium-headless && chmod +x /tmp/chromium-headless`,
  'export CHROME_BIN=/tmp/chromium-headless',
];

/**
 * What karma needs beyond the install: the repo's config file in the command, Chromium in the image, and the
 * per-test reporter the karma parser reads (karma-mocha-reporter; without it karma prints no test names).
 */
export function karmaSetup(
  snapshot: RepoSnapshot,
  deps: Record<string, string>,
  cmd: string,
): { testCmd: string; systemPackages: string[]; preTest: string[]; notes: string[] } {
  const config = CONFIGS.find((c) => snapshot.paths.includes(c)) ?? '';
  const notes = [`karma in headless Chromium (Debian's chromium)${config ? `, config ${config}` : ''}`];
  let testCmd = cmd.replace('{config}', config).replace(/\s+/g, ' ');
  if (!('karma-mocha-reporter' in deps)) {
    testCmd = testCmd.replace(' --reporters mocha', '');
    notes.push('no karma-mocha-reporter: karma prints no per-test names for the parser');
  }
  if (!('karma-chrome-launcher' in deps)) {
    testCmd = testCmd.replace(' --browsers ChromeHeadless', '');
    notes.push("no karma-chrome-launcher: the repo's own browsers are used");
  }
  return { testCmd, systemPackages: ['chromium'], preTest: CHROMIUM_PRE_TEST, notes };
}
