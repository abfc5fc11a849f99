import * as fs from 'node:fs';
import { join } from 'node:path';
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
  /** The newest N non-merge commits (merges are listed, but never count: they are never candidates). */
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
  // A shallow clone's boundary commits have no parents here to diff against: they are roots (root_commit).
  const shallow = new Set(
    fs.existsSync(join(options.gitdir, 'shallow'))
      ? fs.readFileSync(join(options.gitdir, 'shallow'), 'utf8').split('\n').filter(Boolean)
      : [],
  );
  const seen = new Set<string>();
  const out: MinedCommit[] = [];
  let counted = 0;
  for (const e of entries) {
    options.signal?.throwIfAborted();
    if (seen.has(e.oid)) continue;
    seen.add(e.oid);
    out.push({
      oid: e.oid,
      parents: shallow.has(e.oid) ? [] : e.commit.parent,
      message: e.commit.message,
      timestamp: e.commit.committer.timestamp,
      author: e.commit.author.name,
    });
    if (out.at(-1)!.parents.length <= 1) counted++;
    if (options.maxCommits && counted >= options.maxCommits) break;
  }
  return out;
}
