import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { skipLoudly, skipWithoutBwrap, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

const bin = resolve(import.meta.dirname, '../dist/bin.js');
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const BAR = /eval [█░]{24} (\d+)\/(\d+) \d+% \d+\.\d\d\/s ETA (\d+s|\?)/;

describe.skipIf(
  (!hasTmux && skipLoudly('tmux missing: the real-terminal progress bar test is SKIPPED')) ||
    (await skipWithoutBwrap()),
)('progress bar in a real terminal (tmux)', () => {
  it("`repoforge eval run` on the demo's instances redraws one bar with count, rate and ETA", async () => {
    await using dir = await tempDir();
    const demo = bufferedIO();
    const args = ['demo', '--dir', dir.path, '--fixes', '2', '--backend', 'local', '--json'];
    expect(await runCli(args, demo.io), demo.stderr()).toBe(0);
    const session = `rf-progress-${process.pid}`;
    const done = join(dir.path, 'exit-code');
    // A fresh HOME: the local environments are built again (not reused from the demo), so the bar is seen
    // while an environment is being prepared, not only while tests run.
    const cmd = [
      `HOME=${dir.path}/home node ${bin} eval run --dataset ${dir.path}/instances.jsonl --predictions gold --run-id tty`,
      `--repo-cache ${dir.path}/repos --report-dir ${dir.path}/tty --backend local; echo $? > ${done}; sleep 600`,
    ].join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', cmd);
    const frames: string[] = [];
    try {
      const deadline = Date.now() + 600_000;
      while (!existsSync(done) && Date.now() < deadline) {
        frames.push(tmux('capture-pane', '-p', '-t', session));
        await new Promise((r) => setTimeout(r, 50));
      }
      frames.push(tmux('capture-pane', '-p', '-t', session));
    } finally {
      try {
        tmux('kill-session', '-t', session);
      } catch {}
    }
    expect(readFileSync(done, 'utf8').trim()).toBe('0');
    const bars = frames.flatMap((f) => f.split('\n').filter((l) => BAR.test(l)));
    const counts = new Set(bars.map((l) => BAR.exec(l)![1]));
    const total = Number(BAR.exec(bars[0] ?? '')?.[2]);
    expect(total).toBeGreaterThanOrEqual(4);
    // Seen part-way (the bar moved while the run went on), and at the end, full, with the resolved count.
    expect([...counts].some((c) => Number(c) > 0 && Number(c) < total)).toBe(true);
    // While an environment was built and verified, the bar said so (no silent minutes).
    expect(frames.some((f) => /eval [█░]{24} .*demo__\S+: obtaining its environment/.test(f))).toBe(true);
    const last = frames.at(-1)!;
    expect(last).toMatch(new RegExp(`eval █{24} ${total}/${total} 100% .*resolved ${total}`));
    // Redrawn in place: one bar line on the screen, and no plain log lines (those are for non-terminals).
    expect(last.split('\n').filter((l) => BAR.test(l))).toHaveLength(1);
    expect(last).not.toMatch(/\[eval\] \d+\//);
    expect(last).toMatch(new RegExp(`Instances resolved: ${total}`));
  });
});
