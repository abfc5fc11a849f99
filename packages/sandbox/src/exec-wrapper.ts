/**
 * Every command runs under a small sh wrapper that records its process group id (runc makes each `docker
 * exec` process the leader of its own session and group), so a timeout can kill the whole tree from outside.
 * When the command ends, the wrapper also kills whatever it left running in its group (a background server,
 * a fork bomb) unless asked to keep it — with builtins only, so it works even when no process can be forked.
 */
const WRAPPER = [
  'id=$1; mode=$2; shift 2',
  'd=/tmp/.repoforge; mkdir -p -m 1777 "$d" 2>/dev/null; echo $$ > "$d/$id.pgid"',
  '"$@"',
  'rc=$?',
  'if [ "$mode" = kill ]; then',
  '  i=0',
  '  while [ $i -lt 50 ]; do',
  '    found=0',
  '    for s in /proc/[0-9]*/stat; do',
  '      read -r l < "$s" 2>/dev/null || continue',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
  '      p=${s#/proc/}; p=${p%/stat}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
  '      set -- ${l##*) }',
  '      if [ "$3" = "$$" ] && [ "$p" != "$$" ]; then kill -9 "$p" 2>/dev/null; found=1; fi',
  '    done',
  '    [ $found = 0 ] && break',
  '    i=$((i+1))',
  '  done',
  'fi',
  'rm -f "$d/$id.pgid"',
  'exit $rc',
].join('\n');

/** The argv that runs `argv` under the wrapper, tagged with `execId`. */
export function wrapCommand(execId: string, argv: readonly string[], keepBackground = false): string[] {
  return ['/bin/sh', '-c', WRAPPER, 'repoforge-exec', execId, keepBackground ? 'keep' : 'kill', ...argv];
}

/** A command that SIGKILLs the process group recorded for `execId` (and the process, without setsid). */
export function killCommand(execId: string): string[] {
  const f = `/tmp/.repoforge/${execId}.pgid`;
  return [
    '/bin/sh',
    '-c',
    // `read` and `kill` are builtins: a command substitution would need a fork, which a fork bomb at the pids
    // limit leaves none of, and the bomb would outlive its timeout.
    `read -r p < ${f} 2>/dev/null && { kill -9 -"$p" 2>/dev/null || kill -9 "$p"; }; rm -f ${f}`,
  ];
}

/** A shell command line becomes `/bin/sh -c line`; an argv is used as is. */
export function toArgv(cmd: string | readonly string[]): string[] {
  return typeof cmd === 'string' ? ['/bin/sh', '-c', cmd] : [...cmd];
}
