import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EnvImages, RepoCache } from '@repoforge/harness';
import { createSandbox, type SandboxOptions, SandboxPool } from '@repoforge/sandbox';
import { EnvSpecMap } from '@repoforge/schema';
import {
  baseImage,
  makePythonSample,
  sampleEnvSpecs,
  skipWithoutDocker,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPolicy, type Policy, RolloutEngine, ToolExecutor, toSftRecord } from './index.js';

const skip = await skipWithoutDocker();

/** A chat-completions server that plays a scripted agent: look, edit (right or wrong), finish. */
async function scriptedPolicyServer(fix: 'a + b' | 'a * b') {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { messages, tools } = JSON.parse(body) as { messages: { role: string }[]; tools: unknown[] };
      expect(tools.length).toBe(3);
      const turn = messages.filter((m) => m.role === 'assistant').length;
      const call = (name: string, args: object) => ({
        id: `c${turn}`,
        type: 'function',
        function: { name, arguments: JSON.stringify(args) },
      });
      const steps = [
        call('execute_bash', { command: 'cat calc.py && git log --all --oneline | wc -l' }),
        call('str_replace_editor', {
          command: 'str_replace',
          path: '/testbed/calc.py',
          old_str: 'def add(a, b):\n    return a - b',
          new_str: `def add(a, b):\n    return ${fix}`,
        }),
        call('finish', {}),
      ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          choices: [
            { message: { role: 'assistant', content: null, tool_calls: [steps[Math.min(turn, 2)]] } },
          ],
          usage: { prompt_tokens: 100, completion_tokens: 20 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => server.close(),
  };
}

describe.skipIf(skip)('rollouts on real Docker', () => {
  let root: { path: string } & AsyncDisposable;
  let instance: Awaited<ReturnType<typeof makePythonSample>>['instance'];
  let pool: SandboxPool;
  const make = (o: SandboxOptions) => createSandbox({ backend: 'docker', ...o });
  const spec = EnvSpecMap.parse(sampleEnvSpecs(baseImage))['acme/calc']!['*']!;
  let envImage = '';
  beforeAll(async () => {
    root = await tempDir('repoforge-rl-');
    instance = (await makePythonSample(join(root.path, 'repos'))).instance;
    envImage = await new EnvImages({ createSandbox: make }).imageFor(
      spec,
      instance,
      await new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false }).resolve('acme/calc'),
    );
    pool = new SandboxPool({ warm: 1, max: 4, create: (image) => make({ image, network: 'none' }) });
  });
  afterAll(async () => {
    await pool?.close();
    await root?.[Symbol.asyncDispose]();
  });

  const engine = (policy: Policy, samples = 2) =>
    new RolloutEngine({
      policy,
      envFor: async () => ({ ...spec, image: envImage }),
      repoSource: new RepoCache({ cacheDir: join(root.path, 'repos'), clone: false }),
      pool,
      samples,
      concurrency: 2,
      policyVersion: () => 7,
    });

  it('a policy that fixes the bug through the tools earns reward 1; a wrong fix earns 0', async () => {
    for (const [fix, reward] of [
      ['a + b', 1],
      ['a * b', 0],
    ] as const) {
      const server = await scriptedPolicyServer(fix);
      const policy = new HttpPolicy({ baseUrl: server.url, model: 'scripted' });
      try {
        const groups = [];
        for await (const g of engine(policy).run([instance])) groups.push(g);
        expect(groups).toHaveLength(1);
        const [a, b] = groups[0]!.samples;
        for (const s of [a!, b!]) {
          expect(s).toMatchObject({ reward, stop_reason: 'finish', policy_version: 7 });
          expect(s.model_patch).toContain(`+    return ${fix}`);
          // The agent saw only the base commit: git log --all shows one commit.
          expect(s.messages[3]!.content).toMatch(/\n1\n+\[exit code: 0\]$/);
        }
        expect(toSftRecord(a!) !== undefined).toBe(reward === 1);
      } finally {
        await policy.close();
        server.close();
      }
    }
  });

  it('a policy error on one sample is recorded and leaves the other samples intact', async () => {
    const server = await scriptedPolicyServer('a + b');
    const http = new HttpPolicy({ baseUrl: server.url, model: 'scripted' });
    let episodes = 0;
    const policy: Policy = {
      next: async (messages, tools, signal) => {
        if (messages.length === 2 && ++episodes === 2) throw new Error('policy server died');
        return http.next(messages, tools, signal);
      },
    };
    try {
      const groups = [];
      for await (const g of engine(policy, 3).run([instance])) groups.push(g);
      const samples = groups[0]!.samples;
      expect(samples.map((s) => s.stop_reason).sort()).toEqual(['error', 'finish', 'finish']);
      expect(samples.filter((s) => s.reward === 1)).toHaveLength(2);
      expect(samples.find((s) => s.stop_reason === 'error')!.error).toMatch(/policy server died/);
    } finally {
      await http.close();
      server.close();
    }
  });

  it('str_replace_editor: non-unique match, missing file, undo twice, view of a directory', async () => {
    await using sb = await make({ image: envImage });
    await sb.writeFiles({ '/w/a.py': 'x = 1\nx = 1\n', '/w/sub/b.py': 'y = 2\n' });
    const tools = new ToolExecutor(sb, '/w');
    const ed = (args: Record<string, unknown>) => tools.run('str_replace_editor', args).then((r) => r.output);
    expect(await ed({ command: 'str_replace', path: '/w/a.py', old_str: 'x = 1', new_str: 'x = 2' })).toMatch(
      /occurs 2 times .*lines 1, 2/,
    );
    expect(await ed({ command: 'view', path: '/w/missing.py' })).toMatch(/does not exist/);
    expect(await ed({ command: 'str_replace', path: '/w/missing.py', old_str: 'a', new_str: 'b' })).toMatch(
      /does not exist/,
    );
    expect(
      await ed({ command: 'str_replace', path: '/w/a.py', old_str: 'x = 1\nx = 1', new_str: 'x = 3' }),
    ).toMatch(/edited/);
    expect(await ed({ command: 'insert', path: '/w/a.py', insert_line: 0, new_str: '# top' })).toMatch(
      /Inserted/,
    );
    expect(await ed({ command: 'view', path: '/w/a.py' })).toBe('     1\t# top\n     2\tx = 3\n     3\t');
    expect(await ed({ command: 'undo_edit', path: '/w/a.py' })).toMatch(/undone/);
    expect(await ed({ command: 'undo_edit', path: '/w/a.py' })).toMatch(/undone/);
    expect(await ed({ command: 'undo_edit', path: '/w/a.py' })).toMatch(/no edit of \/w\/a.py to undo/);
    expect(Buffer.from(await sb.readFile('/w/a.py')).toString()).toBe('x = 1\nx = 1\n');
    const listing = await ed({ command: 'view', path: '/w' });
    expect(listing).toMatch(/\/w\/a\.py/);
    expect(listing).toMatch(/\/w\/sub\/b\.py/);
    expect(await ed({ command: 'view', path: 'relative.py' })).toMatch(/must be absolute/);
    const bash = await tools.run('execute_bash', { command: 'yes | head -c 50000; exit 3', timeout: 10 });
    expect(bash.output).toMatch(/characters cut/);
    expect(bash.output).toMatch(/\[exit code: 3\]$/);
  });
});
