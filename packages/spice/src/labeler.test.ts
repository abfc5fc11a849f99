import { describe, expect, it } from 'vitest';
import { spiceLabeler } from './labeler.js';

describe('spiceLabeler', () => {
  it('is the offline model with no endpoint and no model, and says so', async () => {
    const l = spiceLabeler({ env: {} });
    expect(l.source).toBe('offline');
    const labels = await l.label({
      repo: 'acme/lib',
      instance_id: 'acme__lib-1',
      base_commit: 'a'.repeat(40),
      patch: 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n',
      test_patch: '',
      problem_statement: 'x is wrong',
      hints_text: '',
      created_at: '2024-01-01T00:00:00Z',
      version: '1.0',
      FAIL_TO_PASS: ['t'],
      PASS_TO_PASS: [],
    });
    expect(labels).toMatchObject({ instance_id: 'acme__lib-1', source: 'offline' });
  });

  it('is the LLM when an endpoint is configured, unless offline is asked for', () => {
    const env = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MODEL: 'm1' };
    expect(spiceLabeler({ env }).source).toBe('llm:m1');
    expect(spiceLabeler({ env: { OPENAI_BASE_URL: env.OPENAI_BASE_URL }, model: 'm2' }).source).toBe(
      'llm:m2',
    );
    // A model asked for with no endpoint is the caller's input to fix, never a silent fallback.
    expect(() => spiceLabeler({ env: {}, model: 'm2' })).toThrow(
      expect.objectContaining({ code: 'LLM_CONFIG' }),
    );
    expect(spiceLabeler({ env, offline: true }).source).toBe('offline');
  });
});
