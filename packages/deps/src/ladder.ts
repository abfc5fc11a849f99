import type { BuiltEnv, EnvProvider } from './build/env-builder.js';
import { DepsError } from './errors.js';
import { NODE_VERSIONS } from './plan/node.js';
import { envSpecHash, type EnvSpec } from './spec.js';

/** Why an environment attempt failed, from what the install or the test run printed. */
export type FailureClass =
  | 'install_conflict'
  | 'needs_git_dependency'
  | 'install_failed'
  | 'unknown_flag'
  | 'wrong_runtime'
  | 'network_at_test_time'
  | 'no_tests_found'
  | 'runner_crashed';

/** What a verification run of the test command saw: parsed test results, not just an exit code. */
export interface VerifyResult {
  tests: number;
  exitCode: number;
  log: string;
}

/** One rung of the repair ladder: for a failure it knows, a changed environment to try next. */
export interface Rung {
  name: string;
  /** Whether the rung can answer this failure of this spec. */
  applies(failure: FailureClass, spec: EnvSpec): boolean;
  /** The spec to try next, or undefined when it has nothing to change (an agent rung may ask a model here). */
  apply(
    spec: EnvSpec,
    failure: { class: FailureClass; detail: string; log: string },
  ): Promise<EnvSpec | undefined>;
}

/** One attempt, kept with the environment: what was tried, and what came of it. */
export interface EnvAttempt {
  rung: string;
  specHash: string;
  outcome: 'ok' | FailureClass;
  detail: string;
  ms: number;
}

export interface ObtainedEnv {
  spec: EnvSpec;
  built: BuiltEnv;
  attempts: EnvAttempt[];
}

const RULES: [FailureClass, RegExp][] = [
  ['needs_git_dependency', /ssh: not found|git@github\.com|Permission denied \(publickey\)|git\+ssh:/i],
  [
    'install_conflict',
    /ERESOLVE|peer dep(endency)? conflict|Conflicting peer dependency|unable to resolve dependency tree/i,
  ],
  ['unknown_flag', /unknown option|unrecognized option|Unknown (argument|option)|invalid option/i],
  [
    'network_at_test_time',
    /getaddrinfo (ENOTFOUND|EAI_AGAIN)|ECONNREFUSED .*:(80|443)\b|network is unreachable/i,
  ],
  [
    'wrong_runtime',
    /The engine "node" is incompatible|Unsupported engine|SyntaxError: Unexpected token|ERR_REQUIRE_ESM|is not a function.*structuredClone|Cannot find module 'node:/i,
  ],
  ['no_tests_found', /No tests found|0 passing|no test files found|Error: No test files found/i],
];

/** The failure class of an install or test log, with the detail that decides the repair (e.g. the flag). */
export function classifyFailure(
  log: string,
  stage: 'install' | 'test',
): { class: FailureClass; detail: string } {
  for (const [cls, re] of RULES) {
    const m = re.exec(log);
    if (!m) continue;
    if (cls === 'unknown_flag') {
      const flag = /unknown option[:\s]+['"`]?(-{1,2}[\w-]+)/i.exec(log)?.[1] ?? '';
      return { class: cls, detail: flag };
    }
    return { class: cls, detail: m[0] };
  }
  return stage === 'install'
    ? { class: 'install_failed', detail: lastLines(log) }
    : { class: 'runner_crashed', detail: lastLines(log) };
}

const lastLines = (log: string) => log.trim().split('\n').slice(-3).join(' | ').slice(0, 300);

/** npm: resolve peer dependencies as npm 6 did (old repos pin plugins against older hosts). */
export const legacyPeerDeps: Rung = {
  name: 'legacy-peer-deps',
  applies: (f, s) =>
    f === 'install_conflict' && s.install.strategy === 'npm' && !/legacy-peer-deps/.test(s.install.command),
  apply: async (s) =>
    s.install.strategy === 'npm'
      ? { ...s, install: { ...s.install, command: `${s.install.command} --legacy-peer-deps` } }
      : undefined,
};

/** The installed runner rejects a flag the plan added: drop it (and nothing else). */
export const dropUnknownFlag: Rung = {
  name: 'drop-unknown-flag',
  applies: (f) => f === 'unknown_flag',
  apply: async (s, { detail }) => {
    if (!detail || !s.testCmd.includes(detail)) return undefined;
    const testCmd = s.testCmd
      .split(' ')
      .filter((t) => t !== detail && !t.startsWith(`${detail}=`))
      .join(' ');
    return { ...s, testCmd, notes: [...s.notes, `dropped ${detail}: the installed runner does not know it`] };
  },
};

/** Another Node: the next older one first (old code on new Node breaks more often than the reverse). */
export const otherNodeVersion: Rung = {
  name: 'other-node-version',
  applies: (f, s) =>
    s.runtime.name === 'node' && (f === 'wrong_runtime' || f === 'runner_crashed' || f === 'install_failed'),
  apply: async (s) => {
    const tried = s.notes
      .filter((n) => n.startsWith('tried node '))
      .map((n) => n.slice('tried node '.length));
    const order = [...NODE_VERSIONS].reverse();
    const next = order.find((v) => v !== s.runtime.version && !tried.includes(v));
    if (!next) return undefined;
    return {
      ...s,
      runtime: { ...s.runtime, version: next },
      notes: [...s.notes, `tried node ${s.runtime.version}`],
    };
  },
};

/** The ladder RepoForge climbs by default, in order. An agent rung can be appended (off by default). */
export const DEFAULT_RUNGS: readonly Rung[] = [legacyPeerDeps, dropUnknownFlag, otherNodeVersion];

/**
 * Builds an environment and accepts it only when its test command really runs tests (`verify` sees parsed
 * results); otherwise classifies the failure and climbs the ladder, recording every attempt. Throws a
 * DepsError whose `attempts` say what was tried when no rung helps.
 */
export async function obtainEnv(
  plan: EnvSpec,
  options: {
    provider: EnvProvider;
    verify?: (spec: EnvSpec, built: BuiltEnv, signal?: AbortSignal) => Promise<VerifyResult>;
    rungs?: readonly Rung[];
    maxAttempts?: number;
    signal?: AbortSignal;
  },
): Promise<ObtainedEnv> {
  const rungs = options.rungs ?? DEFAULT_RUNGS;
  const attempts: EnvAttempt[] = [];
  let spec = plan;
  let rung = 'as planned';
  for (let i = 0; i < (options.maxAttempts ?? 6); i++) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    const record = (outcome: EnvAttempt['outcome'], detail: string) =>
      attempts.push({
        rung,
        specHash: envSpecHash(spec),
        outcome,
        detail,
        ms: Math.round(performance.now() - started),
      });
    let failure: { class: FailureClass; detail: string; log: string };
    try {
      const built = await options.provider.ensure(spec, { signal: options.signal });
      const verified = options.verify ? await options.verify(spec, built, options.signal) : undefined;
      if (!verified || verified.tests > 0) {
        record('ok', verified ? `${verified.tests} tests ran` : 'built');
        return { spec, built, attempts };
      }
      failure = { ...classifyFailure(verified.log, 'test'), log: verified.log };
    } catch (error) {
      options.signal?.throwIfAborted();
      const log = String((error as { log?: string }).log ?? '') + String((error as Error).message ?? error);
      failure = { ...classifyFailure(log, 'install'), log };
    }
    record(failure.class, failure.detail);
    let next: EnvSpec | undefined;
    for (const r of rungs) {
      if (!r.applies(failure.class, spec)) continue;
      next = await r.apply(spec, failure);
      if (next && envSpecHash(next) + next.testCmd !== envSpecHash(spec) + spec.testCmd) {
        rung = r.name;
        break;
      }
      next = undefined;
    }
    if (!next) break;
    spec = next;
  }
  const last = attempts[attempts.length - 1]!;
  throw Object.assign(
    new DepsError('ENV_BUILD_FAILED', `no environment whose tests run (${last.outcome}: ${last.detail})`),
    { attempts },
  );
}
