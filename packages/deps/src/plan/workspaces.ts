import picomatch from 'picomatch';
import type { RepoSnapshot } from '../snapshot.js';

/** The manifest fields of a workspace package that decide what its install holds (and that lockfiles record). */
const WORKSPACE_FIELDS = [
  'name',
  'version',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'dependenciesMeta',
] as const;

/** The `packages:` globs of a pnpm-workspace.yaml (a flat YAML list; the rest of the file is kept as is). */
export function pnpmWorkspaceGlobs(yaml: string): string[] {
  const globs: string[] = [];
  let inPackages = false;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) inPackages = /^packages\s*:/.test(line);
    const item = inPackages ? /^\s+-\s*(['"]?)(.+?)\1\s*(#.*)?$/.exec(line) : null;
    if (item) globs.push(item[2]!);
  }
  return globs;
}

/** The workspace globs a repo declares: package.json `workspaces` (npm, yarn) or pnpm-workspace.yaml. */
export function workspaceGlobs(snapshot: RepoSnapshot, workspaces: unknown): string[] {
  const pnpm = snapshot.files.get('pnpm-workspace.yaml');
  if (pnpm !== undefined) return pnpmWorkspaceGlobs(pnpm);
  const list = Array.isArray(workspaces)
    ? workspaces
    : (workspaces as { packages?: unknown } | undefined)?.packages;
  return Array.isArray(list) ? list.filter((g): g is string => typeof g === 'string') : [];
}

/**
 * The package.json of every workspace package, reduced to the fields that decide its dependencies, by path
 * (`packages/compiler-sfc/package.json`). An install that sees only the root importer leaves out what the
 * workspace packages depend on (vuejs/core's compiler-sfc tests need its own postcss-selector-parser).
 */
export function workspaceManifests(snapshot: RepoSnapshot, globs: readonly string[]): Record<string, string> {
  const include = globs.filter((g) => !g.startsWith('!')).map(clean);
  if (!include.length) return {};
  const isIncluded = picomatch(include);
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => clean(g.slice(1)));
  const isExcluded = exclude.length ? picomatch(exclude) : () => false;
  const manifests: Record<string, string> = {};
  for (const [path, text] of snapshot.files) {
    const dir = path.endsWith('/package.json') ? path.slice(0, -'/package.json'.length) : undefined;
    if (!dir || !isIncluded(dir) || isExcluded(dir)) continue;
    const reduced = reduceManifest(text);
    if (reduced) manifests[path] = reduced;
  }
  return manifests;
}

/** The directories of the workspace packages an install holds (for linking them to the repo's own). */
export const workspaceDirs = (manifests: Record<string, string>): string[] =>
  Object.keys(manifests)
    .map((p) => p.slice(0, -'/package.json'.length))
    .sort();

const clean = (glob: string) => glob.replace(/^\.\//, '').replace(/\/+$/, '');

function reduceManifest(text: string): string | undefined {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined; // a broken workspace manifest breaks the repo's own install too; nothing to keep
  }
  const kept = Object.fromEntries(WORKSPACE_FIELDS.filter((f) => f in pkg).map((f) => [f, pkg[f]]));
  return `${JSON.stringify(kept, null, 2)}\n`;
}
