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

  it('renders any library call through the one progress shape: total, stage with the id, ticks with notes', () => {
    const t = bufferedIO();
    const p = new Progress(t.io, 'mine', 0, false);
    let validated = 0;
    const show = p.listen<string>(
      (_, verdict) => {
        if (verdict === 'validated') validated++;
        return verdict;
      },
      () => `validated ${validated}`,
    );
    show({ type: 'start', total: 2 });
    show({ type: 'working', id: 'abc1234', what: 'validation run 1' });
    show({ type: 'done', id: 'abc1234', result: 'validated', done: 1, total: 2 });
    show({ type: 'done', id: 'def5678', result: 'no_f2p', done: 2, total: 2 });
    p.finish();
    expect(t.stderr().trim().split('\n')).toEqual([
      '[mine] abc1234: validation run 1',
      '[mine] 1/2 abc1234: validated validated 1',
      '[mine] 2/2 def5678: no_f2p validated 1',
    ]);
  });
});
