import { memoAsync, retry } from '@repoforge/schema';
/** Where a problem statement came from. */
export type StatementSource = 'github_issue' | 'commit_message' | 'llm_rewrite';

/** Issue references in a commit message (`#12`, `fixes #12`, `owner/repo#12`). */
export function issueRefs(message: string): number[] {
  return [
    ...new Set([...message.matchAll(/(?:^|[\s(])(?:[\w.-]+\/[\w.-]+)?#(\d+)\b/g)].map((m) => Number(m[1]))),
  ];
}

/** A statement from the commit message: the subject as a title, the body below it. */
export function statementFromCommit(message: string): string {
  const [subject = '', ...body] = message.trim().split('\n');
  return [subject.trim(), body.join('\n').trim()].filter(Boolean).join('\n\n');
}

export interface StatementOptions {
  /** GitHub token: with it, a referenced issue's title and body become the statement. */
  githubToken?: string;
  /** fetch (default: undici's global fetch); injected in tests. */
  fetch?: typeof fetch;
  apiUrl?: string;
  /** Rewrites a commit message into an issue-style description that does not give the fix away. */
  rewrite?: (commitMessage: string, signal?: AbortSignal) => Promise<string>;
  signal?: AbortSignal;
}

const issueCache = new Map<string, Promise<{ title: string; body: string } | undefined>>();

/**
 * The problem statement of a mined commit: the linked GitHub issue when one is referenced and a token is set
 * (REST, rate-limit aware, cached); otherwise the commit message, optionally rewritten by an LLM.
 */
export async function problemStatement(
  repo: string,
  message: string,
  options: StatementOptions = {},
): Promise<{ text: string; source: StatementSource }> {
  const refs = issueRefs(message);
  if (options.githubToken && refs.length) {
    const issue = await fetchIssue(repo, refs[0]!, options);
    if (issue) return { text: `${issue.title}\n\n${issue.body}`.trim(), source: 'github_issue' };
  }
  if (options.rewrite) return { text: await options.rewrite(message, options.signal), source: 'llm_rewrite' };
  return { text: statementFromCommit(message), source: 'commit_message' };
}

async function fetchIssue(
  repo: string,
  n: number,
  options: StatementOptions,
): Promise<{ title: string; body: string } | undefined> {
  const key = `${options.apiUrl ?? 'https://api.github.com'}/${repo}#${n}`;
  // A failed or empty lookup (rate limit, network) is not remembered: the next commit asks again.
  return memoAsync(
    issueCache,
    key,
    async () => {
      const f = options.fetch ?? fetch;
      const url = `${options.apiUrl ?? 'https://api.github.com'}/repos/${repo}/issues/${n}`;
      return retry<{ title: string; body: string } | undefined>(
        async () => {
          const res = await f(url, {
            headers: {
              authorization: `Bearer ${options.githubToken}`,
              accept: 'application/vnd.github+json',
              'user-agent': 'repoforge',
            },
            signal: options.signal,
          });
          if (res.ok) {
            const j = (await res.json()) as { title?: string; body?: string | null };
            return { done: true, value: { title: j.title ?? '', body: j.body ?? '' } };
          }
          if (res.status !== 403 && res.status !== 429) return { done: true, value: undefined };
          // Rate limited: wait until the reset the API names (bounded), then try again.
          const reset = Number(res.headers.get('x-ratelimit-reset')) * 1000 - Date.now();
          const retryAfter = Number(res.headers.get('retry-after')) * 1000;
          return { done: false, waitMs: Math.min(60_000, Math.max(100, retryAfter || reset || 1000)) };
        },
        { tries: 3, signal: options.signal },
      );
    },
    (issue) => issue !== undefined,
  );
}

/** One chat message, as OpenAI-compatible endpoints take it. */
export interface RewriteMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * A `rewrite` for problem statements backed by any chat model (`complete` sends the messages and returns the
 * reply's text: spice's ChatClient, the openai SDK, a local server): the commit message becomes an issue that
 * describes the problem as a user would meet it, without the fix. Off unless a caller passes it.
 */
export function llmStatementRewriter(
  complete: (messages: RewriteMessage[], signal?: AbortSignal) => Promise<string>,
): (commitMessage: string, signal?: AbortSignal) => Promise<string> {
  return async (commitMessage, signal) => {
    const text = await complete(
      [
        {
          role: 'system',
          content:
            'You turn commit messages into GitHub issues. Describe the problem as a user meets it: what they did, what happened, what they expected. Never describe the fix, never name the functions or lines it changes, never paste code from it. Answer with the issue text only: a title line, a blank line, then the body.',
        },
        { role: 'user', content: commitMessage },
      ],
      signal,
    );
    const issue = text.trim();
    // An empty or refused answer is no statement: fall back to the commit's own words.
    return issue.length >= 10 ? issue : statementFromCommit(commitMessage);
  };
}
