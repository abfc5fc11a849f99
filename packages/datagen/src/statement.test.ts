import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { issueRefs, problemStatement, statementFromCommit } from './index.js';

describe('problem statements', () => {
  it('finds issue references and formats commit messages', () => {
    expect(issueRefs('Fix parser (fixes #12, see org/repo#40)')).toEqual([12, 40]);
    expect(issueRefs('no refs here, color #fff')).toEqual([]);
    expect(statementFromCommit('Fix add\n\nadd() subtracted.\n')).toBe('Fix add\n\nadd() subtracted.');
  });

  it('uses the linked GitHub issue over REST when a token is set, waiting out a rate limit', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      expect(req.headers.authorization).toBe('Bearer t0ken');
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '0' });
        return res.end('{}');
      }
      expect(req.url).toBe('/repos/acme/lib/issues/7');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'Parser drops the last token', body: 'Steps: parse("a b")' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const s = await problemStatement('acme/lib', 'Fix tokenizer (#7)', { githubToken: 't0ken', apiUrl });
      expect(s).toEqual({
        text: 'Parser drops the last token\n\nSteps: parse("a b")',
        source: 'github_issue',
      });
      expect(calls).toBe(2);
      // Cached: asking again costs no request.
      await problemStatement('acme/lib', 'Also (#7)', { githubToken: 't0ken', apiUrl });
      expect(calls).toBe(2);
    } finally {
      server.close();
    }
  });

  it('falls back to the commit message, or an injected rewrite', async () => {
    expect(await problemStatement('a/b', 'Fix x (#1)')).toEqual({
      text: 'Fix x (#1)',
      source: 'commit_message',
    });
    const rewritten = await problemStatement('a/b', 'Fix x', {
      rewrite: async (m) => `Issue: something is wrong (${m.length})`,
    });
    expect(rewritten).toEqual({ text: 'Issue: something is wrong (5)', source: 'llm_rewrite' });
  });
});
