import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstStdout, skipLoudly, tempDir } from '@repoforge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSandbox,
  LOCAL_ENV_MANIFEST,
  LocalBackend,
  reapLocalSandboxes,
  type Sandbox,
} from './index.js';
import { bwrapWorks } from './local/host-tools.js';

const hasBwrap = await bwrapWorks();
if (!hasBwrap) skipLoudly('bubblewrap (bwrap) missing: local-backend isolation tests are SKIPPED');
const open: Sandbox[] = [];
async function sandbox(options: Parameters<LocalBackend['create']>[0] = {}) {
  const sb = await new LocalBackend().create(options);
  open.push(sb);
  return sb;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

describe('local sandbox', () => {
  it('runs commands in its workdir with exit codes, stdin, env, files', async () => {
    const sb = await sandbox({ env: { A: '1' } });
    const r = await sb.exec('echo "$A $B"; cat; echo e >&2; exit 4', { env: { B: '2' }, stdin: 'in' });
    expect(r).toMatchObject({ exitCode: 4, stdout: '1 2\nin', stderr: 'e\n' });
    await sb.writeFiles({ 'd/f.txt': 'data' });
    expect((await sb.exec('cat d/f.txt')).stdout).toBe('data');
    expect(Buffer.from(await sb.readFile('d/f.txt')).toString()).toBe('data');
    await expect(sb.readFile('missing')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(sb.writeFiles({ '/etc/evil': 'x' })).rejects.toMatchObject({
      code: hasBwrap ? 'PATH_READ_ONLY' : 'PATH_OUTSIDE_SANDBOX',
    });
    await using host = await tempDir();
    await mkdir(join(host.path, 'in'));
    await writeFile(join(host.path, 'in/x'), 'x');
    await sb.copyIn(join(host.path, 'in'), 'copied');
    expect((await sb.exec('cat copied/x')).stdout).toBe('x');
    await sb.copyOut('copied', join(host.path, 'out'));
    expect(existsSync(join(host.path, 'out/copied/x'))).toBe(true);
  });

  it('does not leak the host environment (API keys) into commands', async () => {
    process.env.REPOFORGE_SECRET_TEST = 'leak';
    const sb = await sandbox();
    expect((await sb.exec('echo "[$REPOFORGE_SECRET_TEST]"')).stdout).toBe('[]\n');
  });

  it('kills the whole process group at the timeout', async () => {
    const sb = await sandbox();
    const tag = `31${process.pid % 1000}.5`;
    const r = await sb.exec(`sleep ${tag} & while :; do :; done`, { timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: 124 });
    // Looked for on the host itself: the background child must be gone too.
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(`sleep ${tag}`);
  });

  it('caps a flood of output and stops it', async () => {
    const sb = await sandbox();
    const r = await sb.exec('yes', { maxOutputBytes: 50_000, timeoutMs: 20_000 });
    expect(r).toMatchObject({ truncated: true, timedOut: false });
    expect(r.stdout.length).toBe(50_000);
  });

  it('fails a memory bomb under the memory limit without harming the host', async () => {
    const sb = await sandbox({ limits: { memory: '128m' } });
    const r = await sb.exec('head -c 1000000000 /dev/zero | tail -c 900000000 > /dev/null');
    expect(r.exitCode).not.toBe(0);
    expect((await sb.exec('echo ok')).stdout).toBe('ok\n');
  });

  it.skipIf(process.getuid?.() !== 0 || !hasBwrap)(
    'stops a fork bomb at its own process limit (a uid per sandbox), leaving other sandboxes alone',
    async () => {
      const sb = await sandbox({ limits: { pids: 64 } });
      const other = await sandbox({ limits: { pids: 64 } });
      // Each sandbox runs as a uid of its own, so the process limit is its own too.
      const [uid, otherUid] = [
        (await sb.exec('id -u')).stdout.trim(),
        (await other.exec('id -u')).stdout.trim(),
      ];
      expect(Number(uid)).toBeGreaterThanOrEqual(200_000);
      expect(otherUid).not.toBe(uid);
      expect((await sb.exec('id -un; echo $HOME')).stdout).toBe('sandbox\n/workspace\n');
      const bomb = sb.exec('bomb() { bomb | bomb & }; bomb; sleep 1', { timeoutMs: 3000 });
      await new Promise((r) => setTimeout(r, 500));
      // While the bomb fills its sandbox's limit, another sandbox still starts processes.
      expect((await other.exec('for i in 1 2 3 4 5; do /bin/true; done; echo other-ok')).stdout).toBe(
        'other-ok\n',
      );
      const r = await bomb;
      expect(r.stderr).toMatch(/fork|resource/i);
      expect((await sb.exec('echo alive')).stdout).toBe('alive\n');
    },
  );

  it.skipIf(!hasBwrap)(
    'with bubblewrap: only loopback, read-only system, no view of /root or /work',
    async () => {
      const sb = await sandbox();
      expect(sb.workdir).toBe('/workspace');
      expect((await sb.exec('cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "')).stdout.trim()).toBe(
        'lo',
      );
      expect((await sb.exec('echo x > /usr/evil')).exitCode).not.toBe(0);
      expect((await sb.exec('ls /root /work 2>&1; true')).stdout).toMatch(/No such file/);
      const marker = `/tmp/repoforge-local-escape-${process.pid}`;
      await sb.exec(`echo escaped > ${marker}`);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it.skipIf(!hasBwrap)('with bubblewrap: a private writable root, as in a container', async () => {
    const sb = await sandbox();
    await sb.writeFiles([
      { path: '/testbed/a.txt', content: 'A' },
      { path: '/eval.sh', content: '#!/bin/sh\necho ran\n', mode: 0o755 },
    ]);
    expect((await sb.exec('cat /testbed/a.txt; /eval.sh')).stdout).toBe('Aran\n');
    await sb.exec('echo kept > /tmp/t');
    expect((await sb.exec('cat /tmp/t', { cwd: '/testbed' })).stdout).toBe('kept\n');
    expect((await sb.exec('pwd', { cwd: '/testbed/sub' })).stdout).toBe('/testbed/sub\n');
    expect(Buffer.from(await sb.readFile('/tmp/t')).toString()).toBe('kept\n');
    await expect(sb.writeFiles({ '/usr/evil': 'x' })).rejects.toMatchObject({ code: 'PATH_READ_ONLY' });
  });

  it.skipIf(!hasBwrap)(
    'moves files through the sandbox: a planted symlink never reaches the host',
    async () => {
      await using host = await tempDir();
      const secret = join(host.path, 'secret');
      await writeFile(secret, 'host secret');
      const sb = await sandbox();
      await sb.exec(`ln -s ${secret} /tmp/link; ln -s ${host.path}/pwned /tmp/out`);
      await expect(sb.readFile('/tmp/link')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
      await sb.writeFiles({ '/tmp/out': 'x' }).catch(() => {});
      expect(existsSync(join(host.path, 'pwned'))).toBe(false);
      await sb.copyOut('/tmp', join(host.path, 'copy'));
      expect(existsSync(join(host.path, 'copy/tmp/link'))).toBe(false);
    },
  );

  it.skipIf(!hasBwrap)('runs in a local environment directory (what an image is to Docker)', async () => {
    await using env = await tempDir();
    await mkdir(join(env.path, 'deps/bin'), { recursive: true });
    await writeFile(join(env.path, 'deps/bin/tool'), '#!/bin/sh\necho "tool $FOO"\n', { mode: 0o755 });
    await writeFile(
      join(env.path, LOCAL_ENV_MANIFEST),
      JSON.stringify({
        version: 1,
        mounts: { deps: '/opt/deps' },
        env: { FOO: 'bar' },
        path: ['/opt/deps/bin'],
      }),
    );
    const sb = await sandbox({ image: env.path });
    expect(sb.image).toBe(env.path);
    expect((await sb.exec('tool; ls /opt')).stdout).toBe('tool bar\ndeps\n');
    await expect(sb.writeFiles({ '/opt/deps/x': 'x' })).rejects.toMatchObject({ code: 'PATH_READ_ONLY' });
    expect((await sb.exec('touch /opt/deps/x')).exitCode).not.toBe(0);
    await writeFile(join(env.path, LOCAL_ENV_MANIFEST), '{"version": 2}');
    await expect(sandbox({ image: env.path })).rejects.toThrow(
      /repoforge-env.json: not a valid local environment/,
    );
  });

  it('without bubblewrap: the workdir only, files and cwd still work (no isolation, said in the README)', async () => {
    const sb = await new LocalBackend({ bwrap: false }).create();
    open.push(sb);
    expect(sb.workdir).toMatch(/repoforge-local-.*\/work$/);
    await sb.writeFiles({ 'a/b.txt': 'B' });
    expect((await sb.exec('cat b.txt; pwd', { cwd: 'a' })).stdout).toBe(`B${sb.workdir}/a\n`);
    expect((await sb.exec('pwd', { cwd: 'new/dir' })).stdout).toBe(`${sb.workdir}/new/dir\n`);
    expect(Buffer.from(await sb.readFile('a/b.txt')).toString()).toBe('B');
    await expect(sb.writeFiles({ '/testbed/x': 'x' })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_SANDBOX',
    });
  });

  it('the reaper removes what a SIGKILLed owner left, and keeps live sandboxes', async () => {
    await using tmp = await tempDir();
    const dist = join(import.meta.dirname, '..', 'dist', 'index.js');
    const script = `import { LocalBackend } from ${JSON.stringify(dist)};
const sb = await new LocalBackend({ tmpRoot: ${JSON.stringify(tmp.path)} }).create({ runId: 'crashed' });
await sb.writeFiles({ 'f.txt': 'x' });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await firstStdout(child, (d) => d.includes('ready'));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const live = await new LocalBackend({ tmpRoot: tmp.path }).create();
    open.push(live);
    const left = readdirSync(tmp.path).filter((n) => n.startsWith('repoforge-local-'));
    expect(left).toHaveLength(2);
    const removed = await reapLocalSandboxes({ tmpRoot: tmp.path });
    expect(removed).toHaveLength(1);
    expect((await live.exec('echo still')).stdout).toBe('still\n');
    expect(readdirSync(tmp.path).filter((n) => n.startsWith('repoforge-local-'))).toHaveLength(1);
    expect(await reapLocalSandboxes({ tmpRoot: tmp.path, runId: 'crashed' })).toEqual([]);
    expect(await reapLocalSandboxes({ tmpRoot: tmp.path, includeLive: true })).toHaveLength(1);
  });

  it('removes its directory on close', async () => {
    const sb = await createSandbox({ backend: 'local' });
    await sb.writeFiles({ f: 'x' });
    await sb.close();
    await expect(sb.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_CLOSED' });
  });
});
