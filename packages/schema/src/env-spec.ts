import { z } from 'zod';
import { RepoForgeError } from './errors.js';

/**
 * The one environment type of RepoForge: how one repo (at one version) is evaluated, in the spirit of SWE-bench's MAP_REPO_VERSION_TO_SPECS:
 * an image (or a Dockerfile to build), optional install steps, the test command and its log parser.
 */
export const EnvSpec = z
  .object({
    image: z.string().optional(),
    dockerfile: z.string().optional(),
    /** Run once per environment at build time (network `host`, repo at the instance's base in /testbed), then committed. */
    install: z.array(z.string()).default([]),
    /** Repo files whose contents key the install (e.g. package-lock.json): same contents, same image. */
    install_key_files: z.array(z.string()).default([]),
    /** Run in the eval script before the tests (network none), e.g. `ln -s /opt/deps/node_modules node_modules`. */
    pre_test: z.array(z.string()).default([]),
    test_cmd: z.string().min(1),
    log_parser: z.string().optional(),
    /** Per-instance timeout in seconds. */
    timeout: z.number().positive().optional(),
    /** A JUnit XML file the test command writes; read as a structured source when present. */
    junit_xml: z.string().optional(),
    /**
     * Tests that need the internet (tests run with network none): left out of FAIL_TO_PASS / PASS_TO_PASS
     * when grading, and reported (the instance's `excluded_tests.json`, the run summary). @repoforge/deps'
     * verification finds them; an env spec file may list them by hand.
     */
    network_tests: z.array(z.string()).optional(),
  })
  .refine((s) => s.image || s.dockerfile, { message: 'needs "image" or "dockerfile"' });
export type EnvSpec = z.infer<typeof EnvSpec>;
export type EnvSpecInput = z.input<typeof EnvSpec>;

/** `{ "owner/name": { "<version>" | "*": EnvSpec } }`. */
export const EnvSpecMap = z.record(z.string(), z.record(z.string(), EnvSpec));
export type EnvSpecMap = z.infer<typeof EnvSpecMap>;

/** The spec for an instance: exact version first, then `*`. */
export function envSpecFor(
  map: EnvSpecMap,
  instance: { repo: string; version?: string; instance_id: string },
): EnvSpec {
  const byVersion = map[instance.repo];
  const spec = byVersion?.[instance.version ?? ''] ?? byVersion?.['*'];
  if (!spec) {
    throw new RepoForgeError(
      'NO_ENV_SPEC',
      `no environment for ${instance.instance_id} (repo ${instance.repo}, version '${instance.version ?? ''}'): add it to the --env-spec file`,
    );
  }
  return spec;
}
