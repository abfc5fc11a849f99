import { z } from 'zod';

/** Versions of what ran the tests, by tool (`node`, `npm`, `pnpm`, `yarn`, `python`): recorded per run. */
export const RuntimeVersions = z.record(z.string(), z.string());
export type RuntimeVersions = z.infer<typeof RuntimeVersions>;

/** What ran one instance's tests: tool versions and the image (environment.json's `runtime`). */
export const RunRuntime = z.object({
  versions: RuntimeVersions,
  image: z.string().optional(),
  /** The image's content id (`sha256:...`): which build of `image` ran. */
  image_id: z.string().optional(),
});
export type RunRuntime = z.infer<typeof RunRuntime>;

const TAG = '##repoforge-runtime';

/**
 * Shell lines printing the runtime's versions, one `##repoforge-runtime <tool> <version>` line each, run in the
 * sandbox inside the prepare step (no extra exec). Package managers are read from their package.json beside the
 * binary (npm --version alone costs ~200 ms of Node.js start-up); a corepack shim falls back to asking it, with a
 * timeout, since a container without network must not hang on a download.
 */
export function runtimeProbeScript(): string {
  return [
    `rf_say() { [ -n "$2" ] && echo "${TAG} $1 $2"; }`,
    'rf_ask() { command -v "$2" >/dev/null 2>&1 || return 0; rf_say "$1" "$( (command -v timeout >/dev/null && timeout 10 "$2" --version || "$2" --version) 2>&1 </dev/null | head -n 1)"; }',
    'rf_pkg() { p=$(command -v "$1" 2>/dev/null) || return 0; d=$(dirname "$(readlink -f "$p")"); for j in "$d/../package.json" "$d/../../package.json"; do [ -f "$j" ] && grep -q "\\"name\\": *\\"$1\\"" "$j" && { rf_say "$1" "$(sed -n \'s/^ *"version": *"\\([^"]*\\)".*/\\1/p\' "$j" | head -n 1)"; return 0; }; done; rf_ask "$1" "$1"; }',
    'rf_ask node node; rf_pkg npm; rf_pkg pnpm; rf_pkg yarn',
    'if command -v python3 >/dev/null 2>&1; then rf_ask python python3; else rf_ask python python; fi',
    'true',
  ].join('\n');
}

/** The probe's versions, and the output with its lines taken out (the log keeps what the step itself said). */
export function parseRuntimeProbe(output: string): { runtime: RuntimeVersions; rest: string } {
  const runtime: RuntimeVersions = {};
  const rest: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(`${TAG} `)) {
      rest.push(line);
      continue;
    }
    const [tool, ...version] = line.slice(TAG.length + 1).split(' ');
    // `Python 3.11.2` and `v20.11.1` read as 3.11.2 and 20.11.1.
    if (tool) runtime[tool] = version.join(' ').replace(/^(python|v)\s*/i, '');
  }
  return { runtime, rest: rest.join('\n') };
}

/** One log line: `Runtime: node 20.11.1, npm 10.2.4; image repoforge/env:abc (sha256:...)`. */
export function describeRuntime(
  runtime: RuntimeVersions,
  image: string | undefined,
  imageId?: string,
): string {
  const tools = Object.entries(runtime).map(([t, v]) => `${t} ${v}`);
  const id = imageId ? ` (${imageId})` : '';
  return `Runtime: ${tools.length ? tools.join(', ') : 'no node or python on PATH'}${image ? `; image ${image}${id}` : ''}`;
}
