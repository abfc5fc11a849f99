/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The placeholder a test command uses for an instance's test files or modules (`{tests:DEFAULT}` too). */
export const TESTS_PLACEHOLDER = '{tests}';

const PLACEHOLDER = /\{tests(?::([^}]*))?\}/g;

/**
 * A test command for some tests: `{tests}` becomes the directives, each shell-quoted (a file name from a
 * patch is untrusted text); with none (a whole-suite run) it becomes nothing, or the default written after a
 * colon, `{tests:test/ test/acceptance/}` (the paths a repo's own script passes). A command without the
 * placeholder runs as written (the whole suite).
 */
export function renderTestCmd(testCmd: string, directives: readonly string[]): string {
  return testCmd.replace(PLACEHOLDER, (_, fallback: string | undefined) =>
    directives.length ? directives.map(shellQuote).join(' ') : (fallback ?? ''),
  );
}
