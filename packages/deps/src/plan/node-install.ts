import type { RepoSnapshot } from '../snapshot.js';
import { nativeDependencies } from './native.js';
import { workspaceDirs, workspaceGlobs, workspaceManifests } from './workspaces.js';

type NodeStrategy = 'npm' | 'yarn' | 'pnpm';

/** How the dependencies of a Node repo are installed: the package manager, its files and its command. */
export interface NodeInstall {
  strategy: NodeStrategy;
  files: Record<string, string>;
  command: string;
  native: string[];
  /** The workspace packages' directories (their manifests are part of the install). */
  workspaces: string[];
  notes: string[];
}

/** `pnpm@9.7.0+sha512.abc` -> { name: 'pnpm', version: '9.7.0' }. */
function parsePackageManager(field: string | undefined): { name: string; version: string } | undefined {
  const m = /^(npm|pnpm|yarn)@(\d+(?:\.\d+){0,2}[\w.-]*?)(?:\+.*)?$/.exec(field?.trim() ?? '');
  return m ? { name: m[1]!, version: m[2]! } : undefined;
}

/** The pnpm that wrote a lockfile, by its `lockfileVersion` (9.x: pnpm 9; 6.x: 8; 5.4: 7; 5.3 and older: 6). */
function pnpmForLockfile(lock: string): string {
  const v = /^lockfileVersion:\s*['"]?(\d+)(?:\.(\d+))?/m.exec(lock);
  const [major, minor] = [Number(v?.[1] ?? 9), Number(v?.[2] ?? 0)];
  if (major >= 9) return '9';
  if (major >= 6) return '8';
  return major === 5 && minor >= 4 ? '7' : '6';
}

/** Yarn 2+ ("berry") lockfiles start with a `__metadata:` block; yarn 1's do not. */
const isBerryLockfile = (lock: string) => /^__metadata:/m.test(lock);

/** The yarn berry a repo pins: `packageManager`, else the release `.yarnrc.yml`'s yarnPath names, else 4. */
function berryVersion(snapshot: RepoSnapshot, pinned: string | undefined): string {
  const fromPath = /yarnPath:.*yarn-(\d+\.\d+\.\d+)\.c?js/.exec(snapshot.files.get('.yarnrc.yml') ?? '')?.[1];
  return pinned ?? fromPath ?? '4';
}

/**
 * The registry part of a repo's `.yarnrc.yml` (its own registry, scopes, http hosts it allows); the rest
 * (yarnPath to a release that is not copied, plugins, the linker) would break or change the install.
 */
function berryRegistrySettings(rc: string): string {
  const kept: string[] = [];
  let keep = false;
  for (const line of rc.split('\n')) {
    if (/^\S/.test(line))
      keep = /^(npmRegistryServer|npmScopes|unsafeHttpWhitelist|npmAlwaysAuth)\s*:/.test(line);
    if (keep && line.trim()) kept.push(line);
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}

/**
 * Berry's settings for an environment install: node_modules whatever the repo's linker (Plug'n'Play has none to
 * link in), the npm registry unless the repo names its own, no telemetry, the cache outside the install, not
 * immutable (the lockfile's other workspaces are not part of the install).
 */
const berryEnv = (npmRegistry: boolean) =>
  [
    'YARN_NODE_LINKER=node-modules',
    ...(npmRegistry ? ['YARN_NPM_REGISTRY_SERVER=https://registry.npmjs.org'] : []),
    'YARN_ENABLE_TELEMETRY=0',
    'YARN_CACHE_FOLDER=/tmp/repoforge-yarn-cache',
    'YARN_ENABLE_IMMUTABLE_INSTALLS=0',
  ].join(' ');

/**
 * The install of a Node repo from its lockfile, with the package manager version the repo pins
 * (`packageManager`, else the one its lockfile's format says), fetched from the npm registry with npx (no
 * corepack, whose downloads come from elsewhere). Install scripts stay off for everything except the
 * dependencies the lockfile says need them (native addons), which are rebuilt after.
 */
export function planNodeInstall(
  snapshot: RepoSnapshot,
  pkg: { name?: string; packageManager?: string; workspaces?: unknown },
  manifest: Record<string, unknown>,
): NodeInstall {
  const has = (f: string) => snapshot.files.has(f);
  const pinned = parsePackageManager(pkg.packageManager);
  const pin = (name: string) => (pinned?.name === name ? pinned.version : undefined);
  const notes: string[] = [];
  const packageJson = (extra: Record<string, unknown> = {}) =>
    `${JSON.stringify({ name: 'repoforge-env', private: true, ...manifest, ...extra }, null, 2)}\n`;
  const workspaces = workspaceManifests(snapshot, workspaceGlobs(snapshot, pkg.workspaces));
  const files: Record<string, string> = { 'package.json': packageJson(), ...workspaces };
  if (has('pnpm-workspace.yaml')) files['pnpm-workspace.yaml'] = snapshot.files.get('pnpm-workspace.yaml')!;
  if (Object.keys(workspaces).length)
    notes.push(`workspace packages installed with the root: ${workspaceDirs(workspaces).join(', ')}`);
  let strategy: NodeStrategy = 'npm';
  let command = 'npm install --no-audit --no-fund --ignore-scripts';
  let rebuild = 'npm';
  if (has('package-lock.json') || has('npm-shrinkwrap.json')) {
    const lock = has('package-lock.json') ? 'package-lock.json' : 'npm-shrinkwrap.json';
    files[lock] = snapshot.files.get(lock)!;
    command = 'npm ci --no-audit --no-fund --ignore-scripts';
  } else if (has('yarn.lock') && isBerryLockfile(snapshot.files.get('yarn.lock')!)) {
    strategy = 'yarn';
    const version = berryVersion(snapshot, pin('yarn'));
    files['yarn.lock'] = snapshot.files.get('yarn.lock')!;
    // Berry's lockfile names the root workspace: keep the repo's name so the lockfile still matches.
    files['package.json'] = packageJson({ name: pkg.name ?? 'root-workspace' });
    const rc = berryRegistrySettings(snapshot.files.get('.yarnrc.yml') ?? '');
    if (rc) files['.yarnrc.yml'] = rc;
    command = `${berryEnv(!rc.includes('npmRegistryServer'))} npx --yes -p @yarnpkg/cli-dist@${version} yarn install --mode=skip-build`;
    notes.push(`yarn ${version} (berry lockfile), node_modules linker`);
  } else if (has('yarn.lock')) {
    strategy = 'yarn';
    files['yarn.lock'] = snapshot.files.get('yarn.lock')!;
    command = `npx --yes yarn@${pin('yarn') ?? '1'} install --frozen-lockfile --ignore-scripts --non-interactive`;
  } else if (has('pnpm-lock.yaml')) {
    strategy = 'pnpm';
    const lock = snapshot.files.get('pnpm-lock.yaml')!;
    const version = pin('pnpm') ?? pnpmForLockfile(lock);
    files['pnpm-lock.yaml'] = lock;
    rebuild = `npx --yes pnpm@${version}`;
    command = `${rebuild} install --frozen-lockfile --ignore-scripts --shamefully-hoist`;
    notes.push(`pnpm ${version} (${pin('pnpm') ? 'packageManager' : 'lockfile format'})`);
  } else notes.push('no lockfile: dependencies resolve at build time (npm install)');
  const lockName = Object.keys(files).find((f) =>
    /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/.test(f),
  );
  const native = lockName ? nativeDependencies(lockName, files[lockName]!) : [];
  if (native.length) {
    command += ` && ${rebuild} rebuild ${native.join(' ')}`;
    notes.push(`native builds (install scripts run for these only): ${native.join(', ')}`);
  }
  return { strategy, files, command, native, workspaces: workspaceDirs(workspaces), notes };
}
