/** What an evaluation asks of its backend, for the rules below. */
export interface BackendUse {
  backend: 'docker' | 'local';
  /** An env-spec file names images. */
  envSpecs?: boolean;
  useInstanceImages?: boolean;
  /** Remote workers (BullMQ): they run Docker. */
  queue?: boolean;
}

/**
 * Why these evaluation options cannot run on this backend, or undefined when they can: env specs, instance
 * images and queue workers are Docker images; the local backend plans environments from each repo instead.
 */
export function backendConflict(use: BackendUse): string | undefined {
  if (use.backend !== 'local') return undefined;
  const needsDocker = (
    [
      ['env-spec', use.envSpecs],
      ['use-instance-images', use.useInstanceImages],
      ['queue', use.queue],
    ] as const
  ).find(([, asked]) => asked)?.[0];
  return needsDocker
    ? `--${needsDocker} needs the Docker backend (images / remote workers); the local backend plans environments from each repo`
    : undefined;
}

/** The recipe flavour an evaluation uses: none on the local backend (recipes are Docker images). */
export function recipesOn<R extends string>(backend: 'docker' | 'local', recipes: R | 'none'): R | undefined {
  return recipes === 'none' || backend === 'local' ? undefined : recipes;
}
