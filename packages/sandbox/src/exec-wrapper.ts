/**
 * Every command records its process group id, so a timeout can kill the whole tree (children,
 * grandchildren) from outside, not just the first process. runc makes each `docker exec` process the leader
 * of its own session and group, so the recorded pid is the group id; where a runtime does not, the kill
 * falls back to the process itself.
 */
const WRAPPER =
  'id=$1; shift; d=/tmp/.repoforge; mkdir -p -m 1777 "$d" 2>/dev/null; echo $$ > "$d/$id.pgid"; exec "$@"';

/** The argv that runs `argv` under the wrapper, tagged with `execId`. */
export function wrapCommand(execId: string, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', WRAPPER, 'repoforge-exec', execId, ...argv];
}

/** A command that SIGKILLs the process group recorded for `execId` (and the process, without setsid). */
export function killCommand(execId: string): string[] {
  const f = `/tmp/.repoforge/${execId}.pgid`;
  return [
    '/bin/sh',
    '-c',
    `p=$(cat ${f} 2>/dev/null) && { kill -9 -"$p" 2>/dev/null || kill -9 "$p"; }; rm -f ${f}`,
  ];
}

/** A shell command line becomes `/bin/sh -c line`; an argv is used as is. */
export function toArgv(cmd: string | readonly string[]): string[] {
  return typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : [...cmd];
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
