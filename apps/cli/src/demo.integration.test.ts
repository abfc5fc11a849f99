import { existsSync, readFileSync } from 'node:fs';
import { skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { bufferedIO } from './test-io.js';

describe.skipIf(await skipWithoutDocker())('repoforge demo', () => {
  it('runs the whole pipeline on generated repos and leaves the reports', async () => {
    await using dir = await tempDir();
    const t = bufferedIO();
    const code = await runCli(['demo', '--dir', dir.path, '--fixes', '1', '--json'], t.io);
    expect(code, t.stderr()).toBe(0);
    const out = JSON.parse(t.stdout());
    expect(out.instances).toBe(3); // Python: scale1 and halve fixes; Node: repeat1
    expect(out.runs['demo-gold']).toMatchObject({ resolved: 3, total: 3 });
    expect(out.runs['demo-wrong']).toMatchObject({ resolved: 0, total: 3 });
    for (const f of [
      out.dataset,
      out.labels,
      out.storage,
      out.runs['demo-gold'].html,
      out.runs['demo-wrong'].html,
    ])
      expect(existsSync(f)).toBe(true);
    expect(readFileSync(out.runs['demo-gold'].html, 'utf8')).toContain('id="resolved-rate">100%');
    expect(t.stderr()).toMatch(/backend: docker/);
  }, 600_000);
});
