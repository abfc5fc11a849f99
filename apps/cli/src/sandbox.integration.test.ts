import { skipWithoutDocker } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe.skipIf(await skipWithoutDocker())('repoforge sandbox run (docker)', () => {
  it('prints the output and exits with the command exit code', async () => {
    const t = bufferedIO();
    expect(
      await runCli(
        ['sandbox', 'run', '--backend', 'docker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7'],
        t.io,
      ),
    ).toBe(7);
    expect(t.stdout()).toBe('out\n');
    expect(t.stderr()).toBe('err\n');
  });

  it('exits 124 on timeout and honours --memory', async () => {
    const t = bufferedIO();
    expect(
      await runCli(['sandbox', 'run', '--backend', 'docker', '--timeout', '0.5', '--', 'sleep', '30'], t.io),
    ).toBe(124);
    expect(t.stderr()).toMatch(/timed out/);
    const m = bufferedIO();
    const code = await runCli(
      [
        'sandbox',
        'run',
        '--memory',
        '32m',
        '--json',
        '--',
        'sh',
        '-c',
        'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
      ],
      m.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(m.stdout()).stdout.trim()).toBe(String(32 * 1024 * 1024));
  });
});

describe('repoforge sandbox run (usage)', () => {
  it('rejects bad input with exit 2', async () => {
    const t = bufferedIO();
    expect(await runCli(['sandbox', 'run', '--timeout', 'soon', '--', 'true'], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/--timeout must be a positive number/);
    expect(await runCli(['sandbox', 'run'], bufferedIO().io)).toBe(2);
  });
});
