import * as fs from 'node:fs';
import git from 'isomorphic-git';

/** A commit of the mined history. */
export interface MinedCommit {
  oid: string;
  parents: string[];
  message: string;
  /** Commit time, seconds since the epoch. */
  timestamp: number;
  author: string;
}

export interface WalkOptions {
  gitdir: string;
  /** Branch or ref (default HEAD). */
  ref?: string;
  /** Only commits at or after this date. */
  since?: Date;
  maxCommits?: number;
  cache?: object;
  signal?: AbortSignal;
}

/** Walks a branch's history newest first with isomorphic-git, each commit once (by oid). */
export async function walkHistory(options: WalkOptions): Promise<MinedCommit[]> {
  const entries = await git.log({
    fs,
    gitdir: options.gitdir,
    ref: options.ref ?? 'HEAD',
    since: options.since,
    cache: options.cache,
  });
  const seen = new Set<string>();
  const out: MinedCommit[] = [];
  for (const e of entries) {
    options.signal?.throwIfAborted();
    if (seen.has(e.oid)) continue;
    seen.add(e.oid);
    out.push({
      oid: e.oid,
      parents: e.commit.parent,
      message: e.commit.message,
      timestamp: e.commit.committer.timestamp,
      author: e.commit.author.name,
    });
    if (options.maxCommits && out.length >= options.maxCommits) break;
  }
  return out;
}
