import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe('repoforge CLI', () => {
  it('prints help with commands and examples, exit 0', async () => {
    const t = bufferedIO();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/Usage: repoforge <command>/);
    expect(t.stdout()).toMatch(/version\s+print the version/);
    expect(t.stdout()).toMatch(/Examples:/);
  });

  it('a group without a command prints help and exits 2', async () => {
    const t = bufferedIO();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.stdout()).toMatch(/Commands:/);
  });

  it('unknown commands and flags are usage errors (exit 2) with a hint', async () => {
    const t = bufferedIO();
    expect(await runCli(['nope'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/^repoforge: unknown command 'nope'\nhint: /);
    const u = bufferedIO();
    expect(await runCli(['version', '--bogus'], u.io)).toBe(2);
    expect(u.stderr()).toMatch(/bogus/);
  });

  it('prints the version, also as JSON', async () => {
    const t = bufferedIO();
    expect(await runCli(['version', '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.stdout())).toMatchObject({ repoforge: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});
