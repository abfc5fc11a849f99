/** One instance to place on an environment. */
export interface LineageInstance {
  id: string;
  repo: string;
  /** Sort key: older first (ISO date or anything that sorts). */
  createdAt: string;
}

export interface LineageOptions<I extends LineageInstance> {
  instances: readonly I[];
  /** The instance's own environment image (planned from its commit; built on first call). */
  ownImage: (instance: I) => Promise<string>;
  /** Whether the instance's tests behave as expected on `image` (FAIL_TO_PASS fixed by gold, PASS_TO_PASS kept). */
  validate: (instance: I, image: string) => Promise<boolean>;
  signal?: AbortSignal;
}

export interface LineageResult {
  /** instance id -> image. */
  assignment: Map<string, string>;
  /** The images used, with the instances on each. */
  images: Map<string, string[]>;
  validations: number;
  /** Own images built because no existing one validated. */
  built: number;
}

/**
 * Lineage sharing: walks each repo's instances oldest first and tries every instance on the repo's existing
 * environment images (newest first) before building its own; a merge is accepted only when the instance's
 * tests validate there. Then it keeps trying to fold small images into others until no merge is possible.
 */
export async function shareEnvironments<I extends LineageInstance>(
  options: LineageOptions<I>,
): Promise<LineageResult> {
  const assignment = new Map<string, string>();
  const images = new Map<string, I[]>();
  let validations = 0;
  let built = 0;
  const validate = async (inst: I, image: string) => {
    options.signal?.throwIfAborted();
    validations++;
    return options.validate(inst, image);
  };
  const byRepo = new Map<string, I[]>();
  for (const i of options.instances) byRepo.set(i.repo, [...(byRepo.get(i.repo) ?? []), i]);
  for (const list of byRepo.values()) {
    const repoImages: string[] = [];
    for (const inst of [...list].sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
    )) {
      let placed: string | undefined;
      for (const image of [...repoImages].reverse()) {
        if (await validate(inst, image)) {
          placed = image;
          break;
        }
      }
      if (!placed) {
        placed = await options.ownImage(inst);
        if (!repoImages.includes(placed)) {
          built++;
          repoImages.push(placed);
        }
      }
      assignment.set(inst.id, placed);
      images.set(placed, [...(images.get(placed) ?? []), inst]);
    }
    // Fold: an image whose every instance validates on another image of the repo is dropped.
    for (let changed = true; changed; ) {
      changed = false;
      const order = [...repoImages].sort(
        (a, b) => (images.get(a)?.length ?? 0) - (images.get(b)?.length ?? 0),
      );
      for (const small of order) {
        const members = images.get(small) ?? [];
        for (const target of repoImages) {
          if (target === small || !images.has(target)) continue;
          let ok = true;
          for (const m of members) if (!(await validate(m, target))) ok = false;
          if (!ok) continue;
          images.set(target, [...images.get(target)!, ...members]);
          images.delete(small);
          repoImages.splice(repoImages.indexOf(small), 1);
          for (const m of members) assignment.set(m.id, target);
          changed = true;
          break;
        }
        if (changed) break;
      }
    }
  }
  return {
    assignment,
    images: new Map([...images].map(([k, v]) => [k, v.map((i) => i.id)])),
    validations,
    built,
  };
}
