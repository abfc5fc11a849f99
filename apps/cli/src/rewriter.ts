import { llmStatementRewriter } from '@repoforge/datagen';
import { ChatClient } from '@repoforge/llm';

/** The statement rewriter `--rewrite-statements` uses: spice's OpenAI-compatible client, cached and retried. */
export function modelRewriter(options: { baseUrl?: string; model?: string } = {}) {
  const client = new ChatClient({ ...options, cacheDir: '.repoforge/llm-cache' });
  return llmStatementRewriter(
    async (messages, signal) => (await client.complete(messages, { signal, temperature: 0 })).content,
  );
}
