import { describe, expect, it } from 'vitest';
import { dockerfileLayerPrefixes } from './dockerfile-layers.js';

describe('dockerfileLayerPrefixes', () => {
  it('ends each prefix at a RUN instruction, continuation lines included, and leaves out the last RUN', () => {
    const dockerfile = [
      'FROM base',
      '# python',
      'RUN apt-get install python3',
      'ENV A=1',
      'RUN apt-get install \\',
      '  python3-numpy',
      'COPY x /x',
      'RUN apt-get install own',
      'ENV B=2',
      '',
    ].join('\n');
    expect(dockerfileLayerPrefixes(dockerfile)).toEqual([
      'FROM base\n# python\nRUN apt-get install python3\n',
      'FROM base\n# python\nRUN apt-get install python3\nENV A=1\nRUN apt-get install \\\n  python3-numpy\n',
    ]);
  });

  it('has no prefix for a Dockerfile of one RUN, and reads a RUN inside a continuation as an argument', () => {
    expect(dockerfileLayerPrefixes('FROM base\nRUN a\nENV X=1\n')).toEqual([]);
    expect(dockerfileLayerPrefixes('FROM base\nENV X=a \\\n  RUN=b\nRUN c\n')).toEqual([]);
  });
});
