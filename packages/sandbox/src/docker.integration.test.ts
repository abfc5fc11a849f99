import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseImage, firstStdout, skipWithoutDocker, tempDir } from '@repoforge/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { reapSandboxes } from './docker.js';
import { createSandbox, ExecError, type Sandbox, SandboxError } from './index.js';

const runId = `test-docker-${process.pid}`;
const open: Sandbox[] = [];
async function sandbox(options: Parameters<typeof createSandbox>[0] = {}): Promise<Sandbox> {
  const sb = await createSandbox({ backend: 'docker', image: baseImage, runId, ...options });
  open.push(sb);
  return sb;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

describe.skipIf(await skipWithoutDocker())('docker sandbox', () => {
  it('runs shell lines and argv, with exit codes, stdin, env and cwd', async () => {
    const sb = await sandbox({ env: { BASE: 'b' } });
    // The content id of the image it runs, recorded beside each evaluation (a tag can be rebuilt).
    expect(sb.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const r = await sb.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
      truncated: false,
    });
    expect((await sb.exec(['printf', '%s|', 'a b', "c'd"])).stdout).toBe("a b|c'd|");
    expect(
      (await sb.exec('cat; echo " $BASE $X"; pwd', { stdin: 'in', env: { X: 'x' }, cwd: '/tmp' })).stdout,
    ).toBe('in b x\n/tmp\n');
    const seen: string[] = [];
    await sb.exec('echo live', { onStdout: (c) => seen.push(Buffer.from(c).toString()) });
    expect(seen.join('')).toBe('live\n');
  });

  it('mounts a tmpfs where asked, for trees its commands write (executables included)', async () => {
    const sb = await sandbox({ tmpfs: { '/testbed': 'rw,exec,nosuid,size=64m' } });
    const r = await sb.exec(
      "printf 'echo ran' > /testbed/run.sh && chmod +x /testbed/run.sh && /testbed/run.sh; stat -f -c %T /testbed /tmp",
      { user: '0' },
    );
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['ran', 'tmpfs']);
    expect(r.stdout.split('\n')[2]).not.toBe('tmpfs');
  });

  it('writes, reads and copies files in and out (tar), refusing escaping links', async () => {
    const sb = await sandbox();
    await sb.writeFiles({ 'a/b.txt': 'hello', '/opt/x/y.sh': 'echo y' });
    expect(Buffer.from(await sb.readFile('a/b.txt')).toString()).toBe('hello');
    expect((await sb.exec('cat /workspace/a/b.txt /opt/x/y.sh')).stdout).toBe('helloecho y');
    await expect(sb.readFile('/nope')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await using host = await tempDir();
    await mkdir(join(host.path, 'src/sub'), { recursive: true });
    await writeFile(join(host.path, 'src/sub/f.txt'), 'copied');
    await sb.copyIn(join(host.path, 'src'), '/data');
    expect((await sb.exec('cat /data/sub/f.txt')).stdout).toBe('copied');
    await sb.exec(
      'mkdir -p /out && echo o > /out/o.txt && ln -s /etc/passwd /out/evil && ln -s o.txt /out/ok',
    );
    await sb.copyOut('/out', join(host.path, 'back'));
    expect(await readFile(join(host.path, 'back/out/o.txt'), 'utf8')).toBe('o\n');
    expect(existsSync(join(host.path, 'back/out/evil'))).toBe(false);
    expect(existsSync(join(host.path, 'back/out/ok'))).toBe(true);
  });

  it('kills an infinite loop and its children at the timeout, and stays usable', async () => {
    const sb = await sandbox();
    const r = await sb.exec('sleep 300 & while :; do :; done', { timeoutMs: 800 });
    expect(r).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(r.durationMs).toBeLessThan(5000);
    // No process of the killed group survives (only init, the lifeline shell and this probe remain).
    const ps = await sb.exec("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done");
    expect(ps.stdout).not.toMatch(/sleep 300/);
    expect((await sb.exec('echo alive')).stdout).toBe('alive\n');
    await expect(sb.exec('sleep 5', { timeoutMs: 200, check: true })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('kills what a command leaves in the background, unless asked to keep it', async () => {
    const sb = await sandbox();
    const ps = "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done";
    await sb.exec('sleep 301 & echo started');
    expect((await sb.exec(ps)).stdout).not.toMatch(/sleep 301/);
    await sb.exec('sleep 302 & echo started', { keepBackground: true });
    expect((await sb.exec(ps)).stdout).toMatch(/sleep 302/);
  });

  it('stops a fork bomb at the pids limit; the host and the sandbox survive', async () => {
    const sb = await sandbox({ limits: { pids: 64 } });
    const r = await sb.exec('bomb() { bomb | bomb & }; bomb; sleep 2; echo done', { timeoutMs: 4000 });
    expect(r.exitCode === 0 || r.timedOut).toBe(true);
    expect(r.stderr).toMatch(/fork/i); // the limit was what stopped it
    const after = sb.closed ? undefined : await sb.exec('echo alive', { timeoutMs: 10_000 });
    // Either the sandbox was cleaned and is usable, or it was replaced (closed): never left running wild.
    if (after) expect(after.stdout).toBe('alive\n');
    const other = await sandbox();
    expect((await other.exec('echo host-fine')).stdout).toBe('host-fine\n');
  });

  it('OOM-kills a memory bomb and reports it', async () => {
    const sb = await sandbox({ limits: { memory: '64m' } });
    const r = await sb.exec('head -c 1000000000 /dev/zero | tail -c 900000000 > /dev/null');
    expect(r.exitCode).toBe(137);
    expect(r.oomKilled).toBe(true);
    await expect(
      sb.exec('head -c 1000000000 /dev/zero | tail -c 900000000', { check: true }),
    ).rejects.toMatchObject({
      code: 'OOM_KILLED',
    });
    expect((await sb.exec('echo ok')).oomKilled).toBe(false);
  });

  it('caps a flood of output and stops it', async () => {
    const sb = await sandbox();
    const r = await sb.exec('yes', { maxOutputBytes: 100_000, timeoutMs: 20_000 });
    expect(r.truncated).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.stdout.length).toBe(100_000);
    const err = await sb.exec('yes', { maxOutputBytes: 1000, check: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).code).toBe('OUTPUT_TRUNCATED');
  });

  it('has no network but loopback; host mounts are read-only', async () => {
    await using host = await tempDir();
    await writeFile(join(host.path, 'ro.txt'), 'ro');
    const sb = await sandbox({ mounts: { [host.path]: '/hostdir' } });
    expect((await sb.exec('ls /sys/class/net')).stdout.trim()).toBe('lo');
    // Loopback works by name: test servers bind "localhost" (network none still writes /etc/hosts).
    expect((await sb.exec('getent hosts localhost')).exitCode).toBe(0);
    const tcp = await sb.exec(['bash', '-c', 'echo > /dev/tcp/127.0.0.1/1 || echo > /dev/tcp/1.1.1.1/53'], {
      timeoutMs: 5000,
    });
    expect(tcp.exitCode).not.toBe(0);
    expect((await sb.exec('cat /hostdir/ro.txt')).stdout).toBe('ro');
    expect((await sb.exec('echo x > /hostdir/ro.txt')).exitCode).not.toBe(0);
    const marker = `/tmp/repoforge-escape-${process.pid}`;
    await sb.exec(`echo escaped > ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('aborts an exec through its signal', async () => {
    const sb = await sandbox();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expect(sb.exec('sleep 30', { signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect((await sb.exec('echo next')).stdout).toBe('next\n');
  });

  it('a container removed under a running command is SANDBOX_LOST, not an exit code to grade', async () => {
    const sb = await sandbox();
    const running = sb.exec('echo started; sleep 30').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    const { execFile } = await import('node:child_process');
    await new Promise((ok, fail) => execFile('docker', ['rm', '-f', sb.id], (e) => (e ? fail(e) : ok(e))));
    expect(await running).toMatchObject({ code: 'SANDBOX_LOST' });
  });

  it('a command into a container that stopped (the engine restarted) or vanished is SANDBOX_LOST', async () => {
    const { execFile } = await import('node:child_process');
    const docker = (...args: string[]) =>
      new Promise((ok, fail) => execFile('docker', args, (e) => (e ? fail(e) : ok(e))));
    const stopped = await sandbox();
    await docker('kill', stopped.id);
    await expect(stopped.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_LOST' });
    const removed = await sandbox();
    await docker('rm', '-f', removed.id);
    await expect(removed.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_LOST' });
  });

  it('reports a missing image and an unreachable engine with their codes', async () => {
    await expect(
      createSandbox({ backend: 'docker', image: 'repoforge/does-not-exist:1' }),
    ).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
    });
    const { DockerBackend } = await import('./docker.js');
    const dead = new DockerBackend({ socketPath: '/tmp/no-such-docker.sock' });
    expect(await dead.available()).toBe(false);
    const e = await dead.create({ image: baseImage }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SandboxError);
    expect((e as SandboxError).code).toBe('ENGINE_UNREACHABLE');
    expect((e as SandboxError).message).toContain('/tmp/no-such-docker.sock');
  });

  it('leaves no container behind after close() or after its owner is SIGKILLed', async () => {
    const sb = await sandbox();
    await sb.exec('sleep 600 >/dev/null 2>&1 &', { keepBackground: true });
    await sb.close();
    await expect(sb.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_CLOSED' });
    const { dockerClient } = await import('./docker.js');
    const docker = dockerClient();
    // Nothing runs once close() resolved; the engine then deletes the container (AutoRemove), off our path.
    const state = await docker
      .getContainer(sb.id)
      .inspect()
      .then(
        (i) => i.State.Running,
        (e: { statusCode?: number }) => e.statusCode,
      );
    expect([false, 404]).toContain(state);
    const exists = () =>
      docker
        .getContainer(sb.id)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    await expect.poll(exists, { timeout: 30_000, interval: 200 }).toBe(false);
    const { execFile } = await import('node:child_process');
    const dist = join(import.meta.dirname, '..', 'dist', 'index.js');
    const script = `import { createSandbox } from ${JSON.stringify(dist)};
      const sb = await createSandbox({ backend: 'docker', image: ${JSON.stringify(baseImage)}, runId: 'orphan-${runId}' });
      console.log(sb.id); setInterval(() => {}, 1000);`;
    const child = execFile('node', ['--input-type=module', '-e', script]);
    const id = (await firstStdout(child)).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    child.kill('SIGKILL');
    const listOrphans = () =>
      docker.listContainers({ all: true, filters: { label: [`repoforge.run-id=orphan-${runId}`] } });
    for (let i = 0; i < 50 && (await listOrphans()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 200));
    await reapSandboxes({ runId: `orphan-${runId}` });
    expect(await listOrphans()).toEqual([]);
  });

  it('the reaper removes only our labelled containers whose owner is gone', async () => {
    const { dockerClient } = await import('./docker.js');
    const docker = dockerClient();
    const mk = (labels: Record<string, string>) =>
      docker.createContainer({
        Image: baseImage,
        Cmd: ['sleep', '300'],
        Labels: labels,
        HostConfig: { NetworkMode: 'none' },
      });
    const { hostname } = await import('node:os');
    const dead = await mk({
      'repoforge.sandbox': '1',
      'repoforge.owner-pid': '999999',
      'repoforge.owner-host': hostname(),
    });
    const live = await mk({
      'repoforge.sandbox': '1',
      'repoforge.owner-pid': String(process.pid),
      'repoforge.owner-host': hostname(),
    });
    const foreign = await mk({ 'other.tool': '1' });
    try {
      const removed = await reapSandboxes();
      expect(removed).toContain(dead.id);
      expect(removed).not.toContain(live.id);
      expect(removed).not.toContain(foreign.id);
    } finally {
      await Promise.all([dead, live, foreign].map((c) => c.remove({ force: true }).catch(() => {})));
    }
  });
});
