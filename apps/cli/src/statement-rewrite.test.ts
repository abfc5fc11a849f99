import { problemStatement } from '@repoforge/datagen';
import { serveRoutes, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { modelRewriter } from './rewriter.js';

describe('datagen mine --rewrite-statements', () => {
  it('turns a commit message into an issue through an OpenAI-compatible server (scripted here)', async () => {
    const issue =
      'req.hostname returns both hosts\n\nWith two X-Forwarded-Host headers, req.hostname is "a, b".';
    await using server = await serveRoutes({
      '/v1/chat/completions': {
        type: 'application/json',
        body: JSON.stringify({
          choices: [{ message: { role: 'assistant', content: issue }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 40, completion_tokens: 20 },
        }),
      },
    });
    await using dir = await tempDir();
    const cwd = process.cwd();
    process.chdir(dir.path); // the client's response cache goes under .repoforge/
    try {
      const rewrite = modelRewriter({ baseUrl: `${server.base}/v1`, model: 'scripted' });
      const got = await problemStatement('expressjs/express', 'fix: use parseForwardedHost in req.hostname', {
        rewrite,
      });
      expect(got).toEqual({ text: issue, source: 'llm_rewrite' });
      expect(server.hits).toEqual(['/v1/chat/completions']);
    } finally {
      process.chdir(cwd);
    }
  });
});
