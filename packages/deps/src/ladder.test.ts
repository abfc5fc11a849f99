import { describe, expect, it } from 'vitest';
import {
  type BuiltEnv,
  type EnvPlan,
  envSpecOf,
  obtainEnv,
  proposalRung,
  updateLockfile,
  type VerifyResult,
} from './index.js';
import { classifyFailure } from './ladder.js';

const plan: EnvPlan = {
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
  install?: (s: EnvPlan) => string | undefined;
  test?: (s: EnvPlan) => VerifyResult;
}) {
  const built: EnvPlan[] = [];
  return {
    built,
    provider: {
      ensure: async (s: EnvPlan): Promise<BuiltEnv> => {
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
    verify: async (s: EnvPlan) => rules.test?.(s) ?? { tests: 3, exitCode: 0, log: '3 passing' },
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
    expect(
      classifyFailure('npm warn EBADENGINE Unsupported engine {\nSegmentation fault', 'test').class,
    ).toBe('runner_crashed');
    expect(classifyFailure(' WARN  Unsupported engine: wanted: {"node":">=22"}', 'test').class).toBe(
      'runner_crashed',
    );
    expect(classifyFailure('npm ERR! notsup Unsupported engine for x@1.0.0', 'install').class).toBe(
      'wrong_runtime',
    );
    // npm 11's code is ERESOLVE in capitals; a name that contains the letters is not a peer conflict.
    expect(
      classifyFailure('npm error code ERESOLVE\nnpm error ERESOLVE could not resolve', 'install').class,
    ).toBe('install_conflict');
    expect(classifyFailure('TypeError: pipeResolve is not a function\n    at build', 'install').class).toBe(
      'install_failed',
    );
  });

  it('a lockfile its package.json outgrew is installed updated, each manager its own way', async () => {
    const npmLog =
      'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.\nnpm error Missing: formdata-node@5.0.1 from lock file';
    expect(classifyFailure(npmLog, 'install').class).toBe('lockfile_out_of_sync');
    // npm 8 wraps its sentence; its per-package lines say it too (preact 10.6's lockfile).
    expect(
      classifyFailure(
        "npm ERR! Missing: rollup@0.67.4 from lock file\nnpm ERR! Invalid: lock file's @types/estree@0.0.39 does not satisfy",
        'install',
      ).class,
    ).toBe('lockfile_out_of_sync');
    expect(
      classifyFailure(
        'error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.',
        'install',
      ).class,
    ).toBe('lockfile_out_of_sync');
    expect(
      classifyFailure(' ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with "frozen-lockfile"', 'install').class,
    ).toBe('lockfile_out_of_sync');
    const s = scripted({
      install: (spec) => (/npm ci/.test(JSON.stringify(spec.install)) ? npmLog : undefined),
    });
    const got = await obtainEnv(
      { ...plan, install: { strategy: 'npm', files: {}, command: 'npm ci --no-audit --ignore-scripts' } },
      { provider: s.provider, verify: s.verify },
    );
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'lockfile_out_of_sync'],
      ['update-lockfile', 'ok'],
    ]);
    expect(got.spec.install).toMatchObject({ command: 'npm install --no-audit --ignore-scripts' });
    const pnpm = await updateLockfile.apply(
      {
        ...plan,
        install: {
          strategy: 'pnpm',
          files: {},
          command: 'npx --yes pnpm@9 install --frozen-lockfile --ignore-scripts',
        },
      },
      { class: 'lockfile_out_of_sync', detail: '', log: '' },
    );
    expect(pnpm?.install).toHaveProperty(
      'command',
      'npx --yes pnpm@9 install --no-frozen-lockfile --ignore-scripts',
    );
    const yarn = await updateLockfile.apply(
      {
        ...plan,
        install: {
          strategy: 'yarn',
          files: {},
          command: 'npx --yes yarn@1 install --frozen-lockfile --ignore-scripts',
        },
      },
      { class: 'lockfile_out_of_sync', detail: '', log: '' },
    );
    expect(yarn?.install).toHaveProperty('command', 'npx --yes yarn@1 install --ignore-scripts');
  });

  it('a native addon built by no install script (an npm v1 lockfile says nothing) is rebuilt on the toolchain', async () => {
    // preact 10.4's `npm run build`: microbundle -> brotli-size -> iltorb, installed with --ignore-scripts.
    const log = [
      "Error: Cannot find module './build/bindings/iltorb.node'",
      'Require stack:',
      '- /opt/deps/node_modules/iltorb/index.js',
      '- /opt/deps/node_modules/brotli-size/index.js',
    ].join('\n');
    expect(classifyFailure(log, 'test')).toEqual({ class: 'install_script_skipped', detail: 'iltorb' });
    const viaBindings = [
      'Error: Could not locate the bindings file. Tried:',
      ' → /opt/deps/node_modules/@scope/addon/build/addon.node',
      '    at bindings (/opt/deps/node_modules/bindings/bindings.js:126:9)',
    ].join('\n');
    expect(classifyFailure(viaBindings, 'test').detail).toBe('@scope/addon');
    const s = scripted({
      test: (spec) =>
        spec.install.strategy === 'npm' && spec.install.native?.includes('iltorb')
          ? { tests: 5, exitCode: 0, log: '5 passing' }
          : { tests: 0, exitCode: 1, log },
    });
    const got = await obtainEnv(
      { ...plan, install: { strategy: 'npm', files: {}, command: 'npm ci --ignore-scripts' } },
      { provider: s.provider, verify: s.verify },
    );
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'install_script_skipped'],
      ['run-install-scripts', 'ok'],
    ]);
    expect(got.spec.install).toMatchObject({
      command: 'npm ci --ignore-scripts && npm rebuild iltorb',
      native: ['iltorb'],
    });
    // A file a package's own code requires, made by its install script (wd's build/), names that package;
    // karma hides its plugins' errors, so every package's scripts run; and after one package, all of them.
    const wd =
      "Error: Cannot find module '../build/safe-execute'\nRequire stack:\n- /opt/deps/node_modules/wd/lib/commands.js";
    expect(classifyFailure(wd, 'test')).toEqual({ class: 'install_script_skipped', detail: 'wd' });
    expect(
      classifyFailure("Error: Cannot find module './helper'\nRequire stack:\n- /testbed/src/a.js", 'test')
        .class,
    ).toBe('runner_crashed');
    // esbuild before 0.15 fetches its binary in a postinstall script, and says so (preact 10.5's karma).
    const esbuild = [
      '/opt/deps/node_modules/esbuild/bin/esbuild:2',
      'Error: esbuild: Failed to install correctly',
      '',
      'Make sure you don\'t have "ignore-scripts" set to true. You can check this with',
      '    at Object.<anonymous> (/opt/deps/node_modules/esbuild/bin/esbuild:2:7)',
    ].join('\n');
    expect(classifyFailure(esbuild, 'test')).toEqual({ class: 'install_script_skipped', detail: 'esbuild' });
    const karma = 'ERROR [plugin]: Cannot find plugin "/opt/deps/node_modules/karma-sauce-launcher".';
    expect(classifyFailure(karma, 'test')).toEqual({ class: 'install_script_skipped', detail: '' });
    const stays = scripted({
      test: (spec) =>
        spec.install.strategy === 'npm' && spec.install.native?.includes('*')
          ? { tests: 5, exitCode: 0, log: '5 passing' }
          : { tests: 0, exitCode: 1, log: wd },
    });
    const all = await obtainEnv(
      { ...plan, install: { strategy: 'npm', files: {}, command: 'npm ci --ignore-scripts' } },
      { provider: stays.provider, verify: stays.verify },
    );
    expect(all.attempts.map((a) => a.rung)).toEqual([
      'as planned',
      'run-install-scripts',
      'run-install-scripts',
    ]);
    expect(all.spec.install).toMatchObject({
      command: 'npm ci --ignore-scripts && npm rebuild wd && npm rebuild',
    });
    // pnpm rebuilds with its own pinned version.
    const pnpm = scripted({
      test: (spec) =>
        spec.install.strategy === 'pnpm' && spec.install.native
          ? { tests: 1, exitCode: 0, log: '1 passing' }
          : { tests: 0, exitCode: 1, log },
    });
    const viaPnpm = await obtainEnv(
      {
        ...plan,
        install: { strategy: 'pnpm', files: {}, command: 'npx --yes pnpm@8 install --frozen-lockfile' },
      },
      { provider: pnpm.provider, verify: pnpm.verify },
    );
    expect(viaPnpm.spec.install).toMatchObject({
      command: 'npx --yes pnpm@8 install --frozen-lockfile && npx --yes pnpm@8 rebuild iltorb',
    });
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

  it('keeps the tests whose failures are network errors with the accepted spec, as the per-repo list', async () => {
    const log = [
      '  ✓ parses a card',
      '  1) fetches a card',
      '  1 passing',
      '  1 failing',
      '  1) fetches a card:',
      '     Error: getaddrinfo ENOTFOUND api.github.com',
    ].join('\n');
    const statusMap = { 'parses a card': 'PASSED', 'fetches a card': 'FAILED' };
    const s = scripted({ test: () => ({ tests: 2, exitCode: 1, log, statusMap }) });
    const got = await obtainEnv(plan, { provider: s.provider, verify: s.verify });
    expect(got.spec.networkTests).toEqual(['fetches a card']);
    expect(got.attempts.at(-1)!.detail).toBe('2 tests ran; 1 need the internet (excluded from grading)');
    expect(envSpecOf(got.spec, 'img').network_tests).toEqual(['fetches a card']);
  });

  it('passes its signal to the rungs, and an abort while a rung works ends the climb', async () => {
    const ac = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const rung = proposalRung(async (_input, options) => {
      seen.push(options?.signal);
      ac.abort(new Error('stopped by the user'));
      return { testCommand: 'mocha {tests}', why: 'try without flags' };
    });
    const s = scripted({ test: () => ({ tests: 0, exitCode: 1, log: 'Segmentation fault' }) });
    const climb = obtainEnv(plan, {
      provider: s.provider,
      verify: s.verify,
      rungs: [rung],
      signal: ac.signal,
    });
    await expect(climb).rejects.toThrow('stopped by the user');
    expect(seen).toEqual([ac.signal]);
    expect(s.built).toHaveLength(1);
  });

  it("a script whose '#!/usr/bin/env python' finds no python gets Debian's alias, then runs", async () => {
    const py: EnvPlan = {
      ...plan,
      ecosystem: 'python',
      runtime: { name: 'python', version: '3' },
      systemPackages: ['git', 'python3'],
      install: { strategy: 'apt', packages: [], unmapped: [] },
      testCmd: './tests/runtests.py --verbosity 2',
      logParser: 'parse_log_django',
    };
    const s = scripted({
      test: (spec) =>
        spec.systemPackages.includes('python-is-python3')
          ? { tests: 9, exitCode: 0, log: 'Ran 9 tests' }
          : { tests: 0, exitCode: 127, log: "/usr/bin/env: 'python': No such file or directory" },
    });
    const got = await obtainEnv(py, { provider: s.provider, verify: s.verify });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'interpreter_missing'],
      ['python-alias', 'ok'],
    ]);
    expect(got.spec.systemPackages).toContain('python-is-python3');
  });

  it('a runtime failure tries older Nodes; accepted only when tests ran', async () => {
    const s = scripted({
      test: (spec) =>
        spec.runtime.version.startsWith('18')
          ? { tests: 5, exitCode: 0, log: '5 passing' }
          : { tests: 0, exitCode: 1, log: 'SyntaxError: Unexpected token' },
    });
    const got = await obtainEnv(plan, { provider: s.provider, verify: s.verify });
    expect(got.spec.runtime.version).toMatch(/^18\./);
    expect(got.attempts.at(-1)).toMatchObject({ rung: 'other-node-version', outcome: 'ok' });
  });

  it('a runtime failure on every Node stops after the two Nodes nearest the planned one', async () => {
    const s = scripted({ test: () => ({ tests: 0, exitCode: 1, log: 'SyntaxError: Unexpected token' }) });
    const got = await obtainEnv(plan, { provider: s.provider, verify: s.verify }).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(Error);
    // Planned on 22: then 20 and 18, and no fourth build.
    expect(plan.runtime.version).toBe('22.12.0');
    expect(s.built.map((spec) => spec.runtime.version)).toEqual(['22.12.0', '20.19.0', '18.20.8']);
  });

  it('a jest run in band that stops before its summary is incomplete: the next attempt runs with workers', async () => {
    const jestPlan: EnvPlan = {
      ...plan,
      testCmd: 'npx jest --runInBand --verbose --ci --maxWorkers=2 {tests}',
      logParser: 'parse_log_jest',
      testRunner: 'jest',
    };
    const s = scripted({
      test: (spec) =>
        spec.testCmd.includes('--runInBand')
          ? { tests: 3, exitCode: 0, log: '  ✓ a (2 ms)\n  ✓ b\n  ✓ c\n  process.exit called with "0"' }
          : { tests: 5, exitCode: 1, log: '  ✓ a\nTests:       1 failed, 4 passed, 5 total' },
    });
    const got = await obtainEnv(jestPlan, { provider: s.provider, verify: s.verify });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'results_incomplete'],
      ['jest-workers', 'ok'],
    ]);
    expect(got.attempts[0]!.detail).toMatch(/^3 tests reported, .*process\.exit called/);
    expect(got.spec.testCmd).toBe('npx jest --verbose --ci --maxWorkers=2 {tests}');
  });

  it('jest-workers adds workers where the command had none, and leaves a jest run without -i alone', async () => {
    const { jestWorkers } = await import('./ladder.js');
    const inBand = { ...plan, testRunner: 'jest', testCmd: 'jest -i --verbose {tests}' };
    expect(jestWorkers.applies('results_incomplete', inBand)).toBe(true);
    expect(
      (await jestWorkers.apply(inBand, { class: 'results_incomplete', detail: '', log: '' }))?.testCmd,
    ).toBe('jest --verbose --maxWorkers=2 {tests}');
    expect(jestWorkers.applies('results_incomplete', { ...inBand, testCmd: 'jest --verbose {tests}' })).toBe(
      false,
    );
    expect(jestWorkers.applies('results_incomplete', { ...inBand, testRunner: 'mocha' })).toBe(false);
  });

  it('knows the end-of-run summaries of jest and mocha, and expects none from other parsers', async () => {
    const { runCutShort } = await import('./ladder.js');
    expect(runCutShort('Tests:       2 passed, 2 total', 'parse_log_jest')).toBe(false);
    expect(runCutShort('  ✓ a', 'parse_log_jest')).toBe(true);
    expect(runCutShort('  0 passing (3ms)\n  2 failing', 'parse_log_mocha')).toBe(false);
    expect(runCutShort('  ✓ a', 'parse_log_mocha')).toBe(true);
    // express 4's mocha colours its summary although NO_COLOR is set.
    const coloured =
      '\x1b[92m \x1b[0m\x1b[32m 861 passing\x1b[0m\x1b[90m (2s)\x1b[0m\n\x1b[31m  2 failing\x1b[0m';
    expect(runCutShort(coloured, 'parse_log_mocha')).toBe(false);
    expect(runCutShort('ok 1 - a', 'parse_log_tap')).toBe(false);
  });

  it('a git devDependency that cannot be fetched is dropped from a lockfile-less install; runtime ones stay', async () => {
    const pkg = {
      name: 'repoforge-env',
      dependencies: { lib: 'github:acme/lib' },
      devDependencies: {
        mocha: '^6.2.2',
        'time-require': 'github:jonschlinkert/time-require',
        bench: 'acme/bench#v1',
      },
    };
    const gitPlan: EnvPlan = {
      ...plan,
      install: { ...plan.install, files: { 'package.json': JSON.stringify(pkg) } } as EnvPlan['install'],
    };
    const packageJson = (spec: EnvPlan) =>
      (spec.install as { files: Record<string, string> }).files['package.json']!;
    const s = scripted({
      install: (spec) =>
        packageJson(spec).includes('time-require')
          ? 'npm error command git --no-replace-objects ls-remote ssh://git@github.com/jonschlinkert/time-require.git\nnpm error /bin/sh: 1: ssh: not found'
          : undefined,
    });
    const got = await obtainEnv(gitPlan, { provider: s.provider, verify: s.verify });
    expect(got.attempts.map((a) => [a.rung, a.outcome])).toEqual([
      ['as planned', 'needs_git_dependency'],
      ['drop-git-dev-dependencies', 'ok'],
    ]);
    const kept = JSON.parse(packageJson(got.spec));
    expect(kept.devDependencies).toEqual({ mocha: '^6.2.2' });
    expect(kept.dependencies).toEqual({ lib: 'github:acme/lib' });
    expect(got.spec.notes.at(-1)).toMatch(/^dropped git devDependencies time-require \(github:/);
    // With a lockfile, npm ci would refuse a changed package.json: the rung does not apply.
    const locked = {
      ...gitPlan,
      install: {
        ...gitPlan.install,
        files: { 'package.json': packageJson(gitPlan), 'package-lock.json': '{}' },
      },
    };
    await expect(
      obtainEnv(locked as EnvPlan, { provider: s.provider, verify: s.verify }),
    ).rejects.toMatchObject({
      code: 'ENV_BUILD_FAILED',
    });
  });

  it('an engine that went away is thrown as it came: no rung climbed, no failure class recorded', async () => {
    const { SandboxError } = await import('@repoforge/sandbox');
    const gone = [
      new SandboxError('SANDBOX_LOST', 'the sandbox went away during the command'),
      Object.assign(new Error('connect ENOENT /run/docker.sock'), { code: 'ENOENT', syscall: 'connect' }),
    ];
    for (const fault of gone) {
      // The text would climb the peer-deps rung if it were read as an install failure.
      const s = scripted({});
      const provider = {
        ensure: async (spec: EnvPlan) => {
          s.built.push(spec);
          throw Object.assign(fault, { log: 'npm ERR! code ERESOLVE' });
        },
      };
      await expect(obtainEnv(plan, { provider, verify: s.verify })).rejects.toBe(fault);
      expect(s.built).toHaveLength(1);
    }
    // And from the verification run as well.
    const s = scripted({});
    const verify = async () => {
      throw gone[0];
    };
    await expect(obtainEnv(plan, { provider: s.provider, verify })).rejects.toBe(gone[0]);
    expect(s.built).toHaveLength(1);
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
