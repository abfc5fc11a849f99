import { createSandbox, type Sandbox, type SandboxOptions } from '@repoforge/sandbox';
import { installedPackages, readTrace, TRACE_ENV, TRACE_FILES, unusedPackages } from '../slim.js';

export interface SlimResult {
  /** The slim image when kept, else the original. */
  image: string;
  kept: boolean;
  removed: string[];
  bytesSaved: number;
}

/**
 * The access-trace slimming pass: run the tests with module tracing, propose removing installed packages no test
 * process loaded, build the slimmer image, and keep it only if `validate` says the tests still give the same
 * statuses on it. `runTests` runs the tests in a sandbox (the repo materialized by the caller's means).
 */
export async function slimByAccessTrace(input: {
  image: string;
  roots?: string[];
  runTests: (sandbox: Sandbox, traceEnv: string) => Promise<void>;
  validate: (slimImage: string) => Promise<boolean>;
  createSandbox?: (options: SandboxOptions) => Promise<Sandbox>;
}): Promise<SlimResult> {
  const make = input.createSandbox ?? ((o: SandboxOptions) => createSandbox({ backend: 'docker', ...o }));
  const roots = input.roots ?? ['/opt/deps/node_modules'];
  const traced = await make({ image: input.image, network: 'none' });
  let candidates: string[];
  try {
    await traced.writeFiles(Object.entries(TRACE_FILES).map(([path, content]) => ({ path, content })));
    await input.runTests(traced, TRACE_ENV);
    candidates = unusedPackages(await installedPackages(traced, roots), await readTrace(traced), roots);
  } finally {
    await traced.close();
  }
  if (candidates.length === 0) return { image: input.image, kept: false, removed: [], bytesSaved: 0 };
  const slimTag = `${input.image.replace(/:.*$/, '')}:slim-${input.image.split(':').pop()}`;
  const sb = await make({ image: input.image, network: 'none' });
  let bytes = 0;
  try {
    const du = await sb.exec([
      '/bin/sh',
      '-c',
      `du -sb ${candidates.join(' ')} 2>/dev/null | awk '{s+=$1} END {print s+0}'`,
    ]);
    bytes = Number(du.stdout.trim()) || 0;
    await sb.exec(['rm', '-rf', ...candidates], { user: '0', check: true });
    await sb.commit!(slimTag, { labels: { 'repoforge.layer': 'deps-slim' } });
  } finally {
    await sb.close();
  }
  const ok = await input.validate(slimTag);
  return { image: ok ? slimTag : input.image, kept: ok, removed: candidates, bytesSaved: ok ? bytes : 0 };
}
