import { shellQuote } from '@repoforge/schema';
import picomatch from 'picomatch';
import type { RepoSnapshot } from '../snapshot.js';

/** Where karma's config lives (the snapshot reads these: see snapshot.ts). */
const KARMA_CONFIGS = [
  'karma.conf.js',
  'karma.conf.cjs',
  'karma.config.js',
  'karma.conf.ts',
  'test/karma.conf.js',
];

/** String literals in a config that look like test file patterns (`'test/specs/**\/*.spec.js'`). */
const FILE_PATTERN = /['"`]([^'"`\s]*\/[^'"`\s]*\.(?:[cm]?[jt]sx?|\*))['"`]/g;

/**
 * The test files the repo's karma config does not serve in the browser (its file patterns are read from the
 * config's string literals). A repo with a node suite beside its browser suite (axios: mocha runs test/unit,
 * karma test/specs) runs an instance's tests with the runner whose files they are. A config whose patterns
 * cannot be read (built at run time) is taken to serve them all.
 */
export function filesKarmaDoesNotServe(snapshot: RepoSnapshot, testFiles: readonly string[]): string[] {
  const config = KARMA_CONFIGS.map((c) => snapshot.files.get(c)).find((text) => text !== undefined);
  if (config === undefined) return [];
  const patterns = [...config.matchAll(FILE_PATTERN)].map((m) => m[1]!);
  if (!patterns.length) return [];
  // `{debug,hooks,}/test/...` expands to `/test/...` too: a leading slash is the repo root.
  const match = picomatch(patterns.map((p) => p.replace(/^\.\//, '')));
  return testFiles.filter((f) => !match(f) && !match(`/${f}`));
}

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
 * A config that takes its files from `config.grep` (karma puts unknown CLI flags on the config: preact's
 * `pattern: config.grep || '...'`) runs just the instance's test files, as SWE-bench's own command does. The
 * whole suite is slower, and its names drift: SWE-bench's karma parser tracks suites by indentation and loses
 * its place over a long run.
 */
function grepFor(config: string, testFiles: readonly string[]): string | undefined {
  if (!testFiles.length || !/\bconfig\.grep\b/.test(config)) return undefined;
  const pattern = testFiles.length === 1 ? testFiles[0]! : `{${testFiles.join(',')}}`;
  return shellQuote(`--grep=${pattern}`);
}

/**
 * What karma needs beyond the install: the repo's config file in the command, Chromium in the image, and the
 * per-test reporter the karma parser reads (karma-mocha-reporter; without it karma prints no test names).
 */
export function karmaSetup(
  snapshot: RepoSnapshot,
  deps: Record<string, string>,
  cmd: string,
  testFiles: readonly string[] = [],
  scriptEnv: readonly string[] = [],
): { testCmd: string; systemPackages: string[]; preTest: string[]; notes: string[] } {
  const config = KARMA_CONFIGS.find((c) => snapshot.paths.includes(c)) ?? '';
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
  if (scriptEnv.length) {
    testCmd = `${scriptEnv.join(' ')} ${testCmd}`;
    notes.push(`karma's environment from the repo's script: ${scriptEnv.join(' ')}`);
  }
  const grep = grepFor(snapshot.files.get(config) ?? '', testFiles);
  if (grep) {
    testCmd += ` ${grep}`;
    notes.push(`the config serves the files --grep names: ${grep}`);
  }
  return { testCmd, systemPackages: ['chromium'], preTest: CHROMIUM_PRE_TEST, notes };
}
