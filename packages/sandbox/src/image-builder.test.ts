import { describe, expect, it } from 'vitest';
import { buildLogHint } from './image-builder.js';

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
