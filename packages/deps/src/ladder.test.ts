import { describe, expect, it } from 'vitest';
import { type BuiltEnv, classifyFailure, type EnvSpec, obtainEnv, type VerifyResult } from './index.js';

const plan: EnvSpec = {
  ecosystem: 'node',
  runtime: { name: 'node', version: '22.12.0' },
  systemPackages: [],
  install: { strategy: 'npm', files: {}, command: 'npm install --no-audit' },
  preTest: [],
  testCmd: 'mocha --no-color --reporter spec {tests}',
  logParser: 'parse_log_mocha',
  testRunner: 'mocha',
  notes: [],
};

/** A provider and a test run scripted by rules on the spec: what the ladder does with them is under test. */
function scripted(rules: {
  install?: (s: EnvSpec) => string | undefined;
  test?: (s: EnvSpec) => VerifyResult;
}) {
  const built: EnvSpec[] = [];
  return {
    built,
    provider: {
      ensure: async (s: EnvSpec): Promise<BuiltEnv> => {
        built.push(s);
        const err = rules.install?.(s);
        if (err) throw Object.assign(new Error('install step failed'), { log: err });
        return {
          image: 'img',
          hash: 'h',
          runtimeImage: 'rt',
          cached: false,
          missingPackages: [],
          durationMs: 1,
        };
      },
    },
    verify: async (s: EnvSpec) => rules.test?.(s) ?? { tests: 3, exitCode: 0, log: '3 passing' },
  };
}

describe('the environment ladder', () => {
  it('classifies real failure text', () => {
    expect(
      classifyFailure(
        'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree',
        'install',
      ).class,
    ).toBe('install_conflict');
    expect(classifyFailure("error: unknown option '--no-color'", 'test')).toEqual({
      class: 'unknown_flag',
      detail: '--no-color',
    });
    expect(classifyFailure('npm ERR! /bin/sh: 1: ssh: not found', 'install').class).toBe(
      'needs_git_dependency',
    );
    expect(classifyFailure('Segmentation fault', 'test').class).toBe('runner_crashed');
  });

  it('peer conflict -> --legacy-peer-deps; unknown flag -> dropped; each attempt recorded', async () => {
    const s = scripted({
      install: (spec) =>
        spec.install.strategy === 'npm' && !spec.install.command.includes('legacy')
          ? 'npm ERR! code ERESOLVE'
          : undefined,
      test: (spec) =>
        spec.testCmd.includes('--no-color')
          ? { tests: 0, exitCode: 1, log: "error: unknown option '--no-color'" }
          : { tests: 12, exitCode: 0, log: '12 passing' },
    });
    const got = await obtainEnv(plan, { provider: s.provider, verify: s.verify });
    expect(got.spec.testCmd).toBe('mocha --reporter spec {tests}');
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'install_conflict'],
      ['legacy-peer-deps', 'unknown_flag'],
      ['drop-unknown-flag', 'ok'],
    ]);
  });

  it('a runtime failure tries older Nodes; accepted only when tests ran', async () => {
    const s = scripted({
      test: (spec) =>
        spec.runtime.version.startsWith('18')
          ? { tests: 5, exitCode: 0, log: '' }
          : { tests: 0, exitCode: 1, log: 'SyntaxError: Unexpected token' },
    });
    const got = await obtainEnv(plan, { provider: s.provider, verify: s.verify });
    expect(got.spec.runtime.version).toMatch(/^18\./);
    expect(got.attempts.at(-1)).toMatchObject({ rung: 'other-node-version', outcome: 'ok' });
  });

  it('says what was tried when no rung helps', async () => {
    const s = scripted({ test: () => ({ tests: 0, exitCode: 0, log: 'No tests found' }) });
    await expect(obtainEnv(plan, { provider: s.provider, verify: s.verify })).rejects.toMatchObject({
      code: 'ENV_BUILD_FAILED',
      attempts: [{ rung: 'as planned', outcome: 'no_tests_found' }],
    });
  });
});

describe('the agent rung (off by default)', () => {
  it('a scripted model server proposes a test command; it is accepted only because the tests then run', async () => {
    const { serveRoutes } = await import('@repoforge/test-utils');
    const { openAiCompatibleRepair, proposalRung, DEFAULT_RUNGS } = await import('./index.js');
    const answer = {
      test_command: 'mocha --reporter spec test/unit {tests}',
      why: 'tests live in test/unit',
    };
    await using server = await serveRoutes({
      '/v1/chat/completions': {
        type: 'application/json',
        body: JSON.stringify({
          choices: [{ message: { content: `\`\`\`json\n${JSON.stringify(answer)}\n\`\`\`` } }],
        }),
      },
    });
    const s = scripted({
      test: (spec) =>
        spec.testCmd.includes('test/unit')
          ? { tests: 4, exitCode: 0, log: '4 passing' }
          : { tests: 0, exitCode: 0, log: '0 passing' },
    });
    // Without the agent the ladder has nothing for "no tests found".
    await expect(obtainEnv(plan, { provider: s.provider, verify: s.verify })).rejects.toMatchObject({
      code: 'ENV_BUILD_FAILED',
    });
    const agent = proposalRung(openAiCompatibleRepair({ baseUrl: `${server.base}/v1`, model: 'scripted' }));
    const got = await obtainEnv(plan, {
      provider: s.provider,
      verify: s.verify,
      rungs: [...DEFAULT_RUNGS, agent],
    });
    expect(got.spec.testCmd).toBe(answer.test_command);
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'no_tests_found'],
      ['agent', 'ok'],
    ]);
    expect(server.hits).toEqual(['/v1/chat/completions']);
  });
});
