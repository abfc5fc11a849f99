import { parse as parseToml } from 'smol-toml';

/** The package version declared at a commit (package.json, pyproject.toml, setup.py/setup.cfg), or ''. */
export function packageVersion(files: ReadonlyMap<string, string>): string {
  try {
    const pkg = files.get('package.json');
    if (pkg) return String(JSON.parse(pkg).version ?? '');
    const py = files.get('pyproject.toml');
    if (py) {
      const v = parseToml(py) as { project?: { version?: string }; tool?: { poetry?: { version?: string } } };
      if (v.project?.version || v.tool?.poetry?.version)
        return String(v.project?.version ?? v.tool?.poetry?.version);
    }
  } catch {}
  const m = /version\s*=\s*['"]([^'"]+)['"]/.exec(files.get('setup.py') ?? files.get('setup.cfg') ?? '');
  return m?.[1] ?? '';
}
