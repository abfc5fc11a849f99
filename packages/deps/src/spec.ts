import { createHash } from 'node:crypto';

/** How dependencies get installed. */
export type InstallPlan =
  | {
      strategy: 'npm' | 'yarn' | 'pnpm';
      files: Record<string, string>;
      command: string;
      /** Dependencies whose install scripts must run (native addons): built with a toolchain kept out of the env. */
      native?: string[];
    }
  | { strategy: 'apt'; packages: string[]; unmapped: string[] }
  | { strategy: 'pip'; requirements: string[]; indexUrl?: string };

/**
 * An environment planned from a repo: runtime, system packages, dependency install, and how to run the tests.
 * Its hash covers only what changes the environment, so nearby commits share one image.
 */
export interface EnvPlan {
  ecosystem: 'node' | 'python';
  runtime: { name: 'node' | 'python'; version: string };
  systemPackages: string[];
  install: InstallPlan;
  /** Shell lines run before the tests at eval time (no network), e.g. linking the prebuilt node_modules. */
  preTest: string[];
  testCmd: string;
  logParser: string;
  /** A JUnit XML file the test command writes, when the runner can. */
  junitXml?: string;
  testRunner: string;
  /** Who answered: a known repo's built-in recipe, or the planner reading the repo's manifests. */
  answeredBy?: 'recipe' | 'planner';
  /**
   * Tests that need the internet, found by the verification run (their failures are network errors; tests
   * run without a network): excluded from grading and reported. Not part of the environment's identity.
   */
  networkTests?: string[];
  /** What planning noticed and could not settle (dynamic setup.py values, unmapped requirements, ...). */
  notes: string[];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The environment's identity: ecosystem, runtime, system packages and the dependency install — not the test
 * command, not source or test files. Same hash, same image.
 */
export function envPlanHash(spec: EnvPlan): string {
  const { ecosystem, runtime, systemPackages, install } = spec;
  return createHash('sha256')
    .update(canonical({ ecosystem, runtime, systemPackages: [...systemPackages].sort(), install }))
    .digest('hex');
}
