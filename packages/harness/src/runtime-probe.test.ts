import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeRuntime, parseRuntimeProbe, runtimeProbeScript } from './runtime-probe.js';

describe('runtime probe', () => {
  it('reads the versions this host has (node, npm from its package.json) and leaves other output alone', () => {
    const out = execFileSync('/bin/sh', ['-c', `echo before\n${runtimeProbeScript()}\necho after`], {
      encoding: 'utf8',
    });
    const { runtime, rest } = parseRuntimeProbe(out);
    expect(runtime.node).toBe(process.versions.node);
    expect(runtime.npm).toMatch(/^\d+\.\d+\.\d+/);
    expect(rest.trim().split('\n')).toEqual(['before', 'after']);
    expect(describeRuntime(runtime, 'img:1')).toMatch(
      new RegExp(`^Runtime: node ${process.versions.node}, npm .*; image img:1$`),
    );
    expect(describeRuntime({ node: '20.1.0' }, 'img:1', 'sha256:ab12')).toBe(
      'Runtime: node 20.1.0; image img:1 (sha256:ab12)',
    );
  });

  it('normalizes Python and Node.js version strings', () => {
    const { runtime } = parseRuntimeProbe(
      '##repoforge-runtime python Python 3.9.2\n##repoforge-runtime node v18.19.0\n',
    );
    expect(runtime).toEqual({ python: '3.9.2', node: '18.19.0' });
  });
});
