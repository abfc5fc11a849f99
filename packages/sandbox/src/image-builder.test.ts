import { describe, expect, it } from 'vitest';
import { buildFailureHint, buildLogHint, ImageBuilder } from './image-builder.js';

describe('buildLogHint', () => {
  it("says the engine's disk is full when the step's output says so, wherever it is", () => {
    const log = [
      'Step 2/3 : RUN apt-get install -y git',
      'E: Write error - write (28: No space left on device)',
      'E: IO Error saving source cache',
      '',
    ].join('\n');
    expect(buildLogHint(log)).toBe(
      " (the engine's disk is full: E: Write error - write (28: No space left on device))",
    );
  });

  it('otherwise carries the last lines of output, on one line', () => {
    expect(buildLogHint('a\nb\n\n\x1b[91mE: Unable to locate package nope\x1b[0m\n')).toBe(
      ' (last output: a | b | E: Unable to locate package nope)',
    );
    expect(buildLogHint('')).toBe('');
  });
});

describe('buildFailureHint', () => {
  const full = { root: '/var/lib/docker', minFreeBytes: 0 };
  const roomy = { root: '/var/lib/docker', minFreeBytes: 2 ** 30 };
  const stepFailed = "The command '/bin/sh -c apt-get install -y git' returned a non-zero code: 100";

  it('names the full disk the watch saw when the step could not write its output', () => {
    expect(buildFailureHint(stepFailed, '', full)).toMatch(
      /disk is full: 0\.0 MiB were left under \/var\/lib\/docker/,
    );
  });

  it("prefers the step's own words, and otherwise falls back to its last output", () => {
    const log = 'E: Write error - write (28: No space left on device)\n';
    expect(buildFailureHint(stepFailed, log, full)).toBe(buildLogHint(log));
    expect(buildFailureHint(stepFailed, 'E: Unable to locate package nope\n', roomy)).toBe(
      ' (last output: E: Unable to locate package nope)',
    );
    expect(buildFailureHint(stepFailed, 'E: Unable to locate package nope\n')).toContain('last output');
  });
});

describe('ImageBuilder concurrency', () => {
  /**
   * A build that finishes wakes the next queued one; a caller arriving in between (here: a build requested a
   * few microtasks after one finished) must not slip past the limit. Every hop count is tried: the window of
   * the hand-written semaphore this replaced was a few microtasks wide.
   */
  it('never runs more builds at once than its limit, whenever a new one arrives', async () => {
    for (let hops = 0; hops < 8; hops++) {
      const builder = new ImageBuilder({ concurrency: 1 });
      let running = 0;
      let most = 0;
      const later: Promise<unknown>[] = [];
      const hop = (n: number, fn: () => void) => (n ? queueMicrotask(() => hop(n - 1, fn)) : fn());
      const build = (name: string) => builder.build({ dockerfile: `FROM scratch\n# ${name}` });
      (builder as unknown as { buildNow: () => Promise<unknown> }).buildNow = async () => {
        running++;
        most = Math.max(most, running);
        await Promise.resolve();
        running--;
        if (later.length === 0) hop(hops, () => later.push(build('c')));
        return { tag: 't', id: 'i', cached: false, durationMs: 0 };
      };
      await Promise.all([build('a'), build('b')]);
      await Promise.all(later);
      expect({ hops, most }).toEqual({ hops, most: 1 });
    }
  });
});
