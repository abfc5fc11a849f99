import { describe, expect, it, vi } from 'vitest';
import { Progress } from './progress.js';
import { bufferedIO } from './test-io.js';

describe('Progress stages', () => {
  it('off a terminal, a long stage prints a line at once and then every 30 s until the run ends', () => {
    vi.useFakeTimers();
    try {
      const t = bufferedIO();
      const p = new Progress(t.io, 'eval', 2, false);
      p.stage('preparing the environment of a-1');
      vi.advanceTimersByTime(95_000);
      p.finish();
      vi.advanceTimersByTime(60_000);
      const lines = t.stderr().trim().split('\n');
      expect(lines[0]).toBe('[eval] preparing the environment of a-1');
      expect(lines.slice(1)).toEqual([
        '[eval] still preparing the environment of a-1 (30 s)',
        '[eval] still preparing the environment of a-1 (60 s)',
        '[eval] still preparing the environment of a-1 (90 s)',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
