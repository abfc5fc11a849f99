import type { Sandbox } from '@repoforge/sandbox';

/** Files that record, at process exit, every module a Node or Python process loaded (no tool installed). */
export const TRACE_FILES: Record<string, string> = {
  '/opt/repoforge-trace/trace.cjs':
    "process.on('exit', () => { try { require('fs').appendFileSync('/tmp/repoforge-trace/node-' + process.pid, Object.keys(require.cache).join('\\n') + '\\n'); } catch {} });\n",
  '/opt/repoforge-trace/py/sitecustomize.py':
    "import atexit, os, sys\n\ndef _dump():\n    try:\n        os.makedirs('/tmp/repoforge-trace', exist_ok=True)\n        with open('/tmp/repoforge-trace/py-%d' % os.getpid(), 'a') as f:\n            for m in list(sys.modules.values()):\n                p = getattr(m, '__file__', None)\n                if p:\n                    f.write(p + '\\n')\n    except Exception:\n        pass\n\natexit.register(_dump)\n",
};

/** Environment lines that switch tracing on for a test run. */
export const TRACE_ENV =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not JS templates
  'export NODE_OPTIONS="--require /opt/repoforge-trace/trace.cjs ${NODE_OPTIONS:-}" PYTHONPATH="/opt/repoforge-trace/py${PYTHONPATH:+:$PYTHONPATH}"; mkdir -p /tmp/repoforge-trace';

/** Paths loaded during traced runs. */
export async function readTrace(sandbox: Sandbox): Promise<Set<string>> {
  const r = await sandbox.exec(['/bin/sh', '-c', 'cat /tmp/repoforge-trace/* 2>/dev/null; true']);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

/**
 * Removal candidates: top-level packages under `roots` (node_modules folders) that no traced path falls in. Pure.
 * Scoped packages (`@scope/name`) count as one package.
 */
export function unusedPackages(
  installed: readonly string[],
  loaded: ReadonlySet<string>,
  roots: readonly string[],
): string[] {
  const used = new Set<string>();
  for (const path of loaded) {
    for (const root of roots) {
      if (!path.startsWith(`${root}/`)) continue;
      const parts = path.slice(root.length + 1).split('/');
      used.add(`${root}/${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`);
    }
  }
  return installed.filter((p) => !used.has(p) && !p.endsWith('/.bin') && !p.endsWith('/.package-lock.json'));
}

/** Top-level installed packages under the node_modules roots of an image. */
export async function installedPackages(sandbox: Sandbox, roots: readonly string[]): Promise<string[]> {
  const script = roots
    .map((d) => `[ -d ${d} ] && for p in ${d}/* ${d}/@*/*; do [ -e "$p" ] && echo "$p"; done`)
    .join('; ');
  const r = await sandbox.exec(['/bin/sh', '-c', `${script}; true`]);
  return r.stdout.split('\n').filter((p) => p && !/\/@[^/]+$/.test(p));
}
