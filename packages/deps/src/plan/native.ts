/**
 * Dependencies with install scripts (native addons built by node-gyp, mostly), as the lockfile records them:
 * npm's lockfile v2/v3 marks them `hasInstallScript`, pnpm's v5/v6 `requiresBuild`. Yarn v1 and npm v1
 * lockfiles do not say, so nothing is found there. Names are sorted and unique. Pure.
 */
export function nativeDependencies(lockName: string, lockText: string): string[] {
  const names = new Set<string>();
  if (lockName === 'package-lock.json' || lockName === 'npm-shrinkwrap.json') {
    let lock: { packages?: Record<string, { hasInstallScript?: boolean }> };
    try {
      lock = JSON.parse(lockText);
    } catch {
      return [];
    }
    for (const [key, entry] of Object.entries(lock.packages ?? {})) {
      if (!key || !entry?.hasInstallScript) continue;
      names.add(key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    }
  } else if (lockName === 'pnpm-lock.yaml') {
    // `  /name@1.2.3:` (v6) or `  /name/1.2.3:` (v5) opens a package; `requiresBuild: true` inside marks it.
    let current = '';
    for (const line of lockText.split('\n')) {
      const open = /^ {2}'?\/((?:@[^/@]+\/)?[^/@]+)[@/]/.exec(line);
      if (open) current = open[1]!;
      else if (/^\S/.test(line)) current = '';
      else if (current && /^\s+requiresBuild: true\s*$/.test(line)) names.add(current);
    }
  }
  return [...names].sort();
}
