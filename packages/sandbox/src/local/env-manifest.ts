import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { readJsonFile } from '@repoforge/schema/node';
import { z } from 'zod';
import { SandboxError } from '../errors.js';

/** The file that makes a directory a local-backend environment ("image"). */
export const LOCAL_ENV_MANIFEST = 'repoforge-env.json';

/**
 * A local environment: directories of the env dir mounted read-only at sandbox paths, variables, and PATH
 * entries put first. It is what a Docker image is to the Docker backend (written by @repoforge/deps).
 */
export const LocalEnvManifest = z.object({
  version: z.literal(1),
  /** Directory inside the env dir (relative) -> absolute sandbox path. */
  mounts: z.record(z.string(), z.string().startsWith('/')).default({}),
  env: z.record(z.string(), z.string()).default({}),
  path: z.array(z.string().startsWith('/')).default([]),
});
export type LocalEnvManifest = z.infer<typeof LocalEnvManifest>;

/** Whether `image` names a local environment directory (an absolute path holding the manifest). */
export function isLocalEnv(image: string | undefined): image is string {
  return !!image && isAbsolute(image) && existsSync(join(image, LOCAL_ENV_MANIFEST));
}

/** Reads an environment directory's manifest into mounts (host -> sandbox) and variables. */
export async function readLocalEnv(
  dir: string,
): Promise<{ mounts: Record<string, string>; env: Record<string, string>; path: string[] }> {
  const file = join(dir, LOCAL_ENV_MANIFEST);
  let parsed: LocalEnvManifest;
  try {
    parsed = await readJsonFile(file, LocalEnvManifest);
  } catch (error) {
    throw new SandboxError(
      'IMAGE_MISSING',
      `${file}: not a valid local environment: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const mounts: Record<string, string> = {};
  for (const [rel, dest] of Object.entries(parsed.mounts)) {
    const host = isAbsolute(rel) ? rel : resolve(dir, rel);
    if (!existsSync(host))
      throw new SandboxError('IMAGE_MISSING', `${file}: mounts.${rel}: ${host} does not exist`);
    mounts[host] = dest;
  }
  return { mounts, env: parsed.env, path: parsed.path };
}
