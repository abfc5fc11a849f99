import { baseImage, skipWithoutDocker } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { ImageBuilder, storageReport } from './docker.js';
import { createSandbox, SandboxPool } from './index.js';

const uniq = `${process.pid}-${Date.now()}`;

describe.skipIf(await skipWithoutDocker())('image builder, storage report and pool on Docker', () => {
  const builder = new ImageBuilder({ repository: 'repoforge/test-env', concurrency: 2 });

  it('builds by content hash once, reuses it, and dedupes concurrent requests', async () => {
    const spec = {
      dockerfile: `FROM ${baseImage}\nCOPY hello.txt /opt/hello.txt\nRUN head -c 200000 /dev/urandom > /opt/blob-a`,
      context: { 'hello.txt': `hello ${uniq}` },
    };
    const progress: string[] = [];
    const [first, again] = await Promise.all([
      builder.build(spec, { onProgress: (e) => e.type === 'working' && progress.push(e.what) }),
      builder.build(spec),
    ]);
    expect(first).toBe(again);
    expect(first.cached).toBe(false);
    expect(first.log).toMatch(/Step 1\/\d+ : FROM/);
    expect(progress.length).toBeGreaterThan(0);
    const later = await builder.build(spec);
    expect(later).toMatchObject({ cached: true, tag: first.tag, hash: first.hash });
    const sb = await createSandbox({ backend: 'docker', image: first.tag });
    try {
      expect((await sb.exec('cat /opt/hello.txt')).stdout).toBe(`hello ${uniq}`);
    } finally {
      await sb.close();
    }

    // A sibling image on the same base: the base layer is shared, the blobs are not.
    const sibling = await builder.build({
      dockerfile: `FROM ${baseImage}\nRUN head -c 300000 /dev/urandom > /opt/blob-b && echo ${uniq} > /opt/id`,
    });
    const report = await storageReport([first.tag, sibling.tag, baseImage]);
    const base = report.images.find((i) => i.image === baseImage)!;
    const a = report.images.find((i) => i.image === first.tag)!;
    const b = report.images.find((i) => i.image === sibling.tag)!;
    expect(base.uniqueBytes).toBe(0);
    expect(report.sharedBytes).toBe(base.sizeBytes);
    expect(a.uniqueBytes).toBeGreaterThanOrEqual(200_000);
    expect(b.uniqueBytes).toBeGreaterThanOrEqual(300_000);
    expect(report.totalBytes).toBe(base.sizeBytes + a.uniqueBytes + b.uniqueBytes);
    expect(report.unsharedBytes).toBeGreaterThan(report.totalBytes + base.sizeBytes);
    await Promise.all(
      [first.tag, sibling.tag].map((t) => builder.docker.getImage(t).remove({ force: true })),
    );
  });

  it('layered builds of Dockerfiles that start alike, at once, make their common layer once', async () => {
    // The shared step is slow and random: two builds that each ran it would have different layers.
    const shared = `FROM ${baseImage}\nRUN head -c 100000 /dev/urandom > /opt/shared && sleep 2 && echo ${uniq}`;
    const build = (own: string) =>
      builder.build({ dockerfile: `${shared}\nRUN echo ${own} > /opt/own\nRUN true\n` }, { layered: true });
    const [a, b] = await Promise.all([build('a'), build('b')]);
    const layers = async (tag: string) => (await builder.docker.getImage(tag).inspect()).RootFS.Layers ?? [];
    const [la, lb, lbase] = await Promise.all([layers(a.tag), layers(b.tag), layers(baseImage)]);
    expect(la[lbase.length]).toBe(lb[lbase.length]);
    expect(la[lbase.length + 1]).not.toBe(lb[lbase.length + 1]);
    const prefix = await builder.build({ dockerfile: `${shared}\n` });
    expect(prefix.cached).toBe(true);
    await Promise.all([a.tag, b.tag, prefix.tag].map((t) => builder.remove(t)));
  });

  it('imports a root filesystem tarball as an image (registry-less base images)', async () => {
    const c = await builder.docker.createContainer({ Image: baseImage, Cmd: ['true'] });
    const tag = `repoforge/test-import:${process.pid}`;
    try {
      const rootfs = (await c.export()) as unknown as import('node:stream').Readable;
      const id = await builder.importRootfs(rootfs, tag, { changes: ['ENV IMPORTED=yes'] });
      expect(id).toMatch(/^sha256:/);
      const sb = await createSandbox({ backend: 'docker', image: tag });
      try {
        expect((await sb.exec('echo $IMPORTED; test -x /bin/sh && echo sh')).stdout).toBe('yes\nsh\n');
      } finally {
        await sb.close();
      }
    } finally {
      await c.remove({ force: true });
      await builder.docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    }
  });

  it('reports a failed build with its log', async () => {
    const err = await builder
      .build({ dockerfile: `FROM ${baseImage}\nRUN echo about-to-fail-${uniq} && exit 7` })
      .catch((e: unknown) => e as Error & { code: string; log: string });
    expect(err).toMatchObject({ code: 'BUILD_FAILED' });
    expect((err as { log: string }).log).toContain(`about-to-fail-${uniq}`);
  });

  it('a pool of real containers hands out clean sandboxes', async () => {
    const pool = new SandboxPool({
      warm: 1,
      max: 3,
      create: (image) => createSandbox({ backend: 'docker', image }),
    });
    try {
      await pool.prewarm([baseImage]);
      const lease = await pool.acquire(baseImage);
      await lease.sandbox.exec('touch /workspace/dirt');
      const firstId = lease.sandbox.id;
      await lease.release();
      await using next = await pool.acquire(baseImage);
      expect(next.sandbox.id).not.toBe(firstId);
      expect((await next.sandbox.exec('ls /workspace')).stdout).toBe('');
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  });
});

describe.skipIf(await skipWithoutDocker())('commit', () => {
  it('saves a sandbox as an image whose files persist', async () => {
    const tag = `repoforge/test-commit:${process.pid}`;
    const sb = await createSandbox({
      backend: 'docker',
      image: baseImage,
      runId: 'install-run',
      labels: { 'repoforge.purpose': 'deps-install' },
    });
    try {
      await sb.exec('mkdir -p /opt/deps && echo installed > /opt/deps/marker');
      expect(await sb.commit!(tag, { labels: { 'repoforge.test': '1' } })).toMatch(/^sha256:/);
    } finally {
      await sb.close();
    }
    const again = await createSandbox({ backend: 'docker', image: tag });
    try {
      expect((await again.exec('cat /opt/deps/marker')).stdout).toBe('installed\n');
      // A sandbox of the image is not labelled as the install it was committed from (Docker merges labels).
      const labels = (await new ImageBuilder().docker.getContainer(again.id).inspect()).Config.Labels;
      expect(labels).toMatchObject({
        'repoforge.purpose': 'sandbox',
        'repoforge.run-id': '',
        'repoforge.test': '1',
      });
    } finally {
      await again.close();
      await new ImageBuilder().docker.getImage(tag).remove({ force: true });
    }
  });

  it('commits only some paths onto another image: the build output without what made it', async () => {
    const tag = `repoforge/test-commit-only:${process.pid}`;
    const sb = await createSandbox({ backend: 'docker', image: baseImage });
    try {
      await sb.exec(
        'mkdir -p /opt/deps/lib && echo built > /opt/deps/lib/addon && echo tool > /usr/local/bin/cc-junk',
      );
      await sb.commit!(tag, {
        labels: { 'repoforge.test': '1' },
        only: { paths: ['/opt/deps'], onto: baseImage },
      });
    } finally {
      await sb.close();
    }
    const docker = new ImageBuilder().docker;
    const again = await createSandbox({ backend: 'docker', image: tag });
    try {
      expect((await again.exec('cat /opt/deps/lib/addon; ls /usr/local/bin/cc-junk')).stdout).toBe('built\n');
      const info = await docker.getImage(tag).inspect();
      expect(info.Config.Labels?.['repoforge.test']).toBe('1');
      const base = await docker.getImage(baseImage).inspect();
      expect(info.RootFS.Layers?.slice(0, -1)).toEqual(base.RootFS.Layers);
      // The container it was made in goes (the engine deletes it after the commit, off the caller's path).
      const left = async () =>
        (
          await docker.listContainers({ all: true, filters: { label: ['repoforge.purpose=commit-onto'] } })
        ).filter((c) => c.Image === baseImage && c.Labels['repoforge.owner-pid'] === String(process.pid));
      await expect.poll(left, { timeout: 30_000, interval: 200 }).toEqual([]);
    } finally {
      await again.close();
      await docker.getImage(tag).remove({ force: true });
    }
  });
});
