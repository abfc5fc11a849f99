import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeGitRepo, serveGitHttp, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { packCommitTree, RepoCache } from './index.js';

const run = promisify(execFile);

describe('RepoCache', () => {
  it('finds owner/name and owner__name, and says where it looked when missing', async () => {
    await using dir = await tempDir();
    await makeGitRepo(join(dir.path, 'a', 'one'), [{ message: 'x', files: { f: '1' } }]);
    await makeGitRepo(join(dir.path, 'b__two'), [{ message: 'x', files: { f: '2' } }]);
    const cache = new RepoCache({ cacheDir: dir.path, clone: false });
    expect((await cache.resolve('a/one')).gitdir).toBe(join(dir.path, 'a', 'one', '.git'));
    expect((await cache.resolve('b/two')).gitdir).toBe(join(dir.path, 'b__two', '.git'));
    await expect(cache.resolve('c/three')).rejects.toMatchObject({
      code: 'REPO_NOT_FOUND',
      message: expect.stringContaining('c__three'),
    });
  });

  it('clones over smart HTTP with isomorphic-git (bare, once for concurrent requests) and packs a commit tree', async () => {
    await using served = await tempDir();
    const ids = await makeGitRepo(join(served.path, 'org', 'lib.git'), [
      { message: 'one', files: { 'a.txt': 'a', 'src/b.txt': 'b' } },
      { message: 'two', files: { 'a.txt': 'a2' } },
    ]);
    await using http = await serveGitHttp(served.path);
    await using cacheDir = await tempDir();
    const cache = new RepoCache({ cacheDir: cacheDir.path, urlOf: (repo) => `${http.url}/${repo}.git` });
    const [l1, l2] = await Promise.all([cache.resolve('org/lib'), cache.resolve('org/lib')]);
    expect(l1).toBe(l2);
    expect(l1.gitdir).toBe(join(cacheDir.path, 'org__lib'));
    const { objects, packfile } = await packCommitTree(l1, ids[0]!);
    expect(objects).toBe(5); // commit, root tree, src tree, two blobs
    // The git CLI and the isomorphic-git fallback pack the same objects.
    expect((await packCommitTree(l1, ids[0]!, { via: 'isomorphic-git' })).objects).toBe(5);
    expect(Buffer.from(packfile.subarray(0, 4)).toString()).toBe('PACK');
    // The CLI's pack comes with its index (the sandbox skips index-pack), and is kept: a second ask is the same.
    const again = await packCommitTree(l1, ids[0]!);
    expect(again.packfile).toBe(packfile);
    expect(Buffer.from(again.index!.subarray(0, 4))).toEqual(Buffer.from([0xff, 0x74, 0x4f, 0x63]));
    await expect(packCommitTree(l1, 'f'.repeat(40))).rejects.toMatchObject({ code: 'COMMIT_NOT_FOUND' });
    const bad = new RepoCache({ cacheDir: cacheDir.path, urlOf: () => `${http.url}/nope.git` });
    await expect(bad.resolve('x/nope')).rejects.toMatchObject({ code: 'CLONE_FAILED' });
  });

  it('reads a read-only bare mirror named owner__name.git whose refs are all packed (as ../shared has)', async () => {
    await using dir = await tempDir();
    const src = join(dir.path, 'src');
    const ids = await makeGitRepo(src, [{ message: 'x', files: { 'a.txt': 'a', 'b/c.txt': 'c' } }]);
    const mirror = join(dir.path, 'cache', 'acme__lib.git');
    await run('git', ['clone', '-q', '--bare', src, mirror]);
    await run('git', ['-C', mirror, 'pack-refs', '--all']);
    await rm(join(mirror, 'refs'), { recursive: true, force: true }); // git itself no longer sees a repo here
    await run('chmod', ['-R', 'a-w', mirror]);
    const loc = await new RepoCache({ cacheDir: join(dir.path, 'cache'), clone: false }).resolve('acme/lib');
    expect(loc.gitdir).toBe(mirror);
    const packed = await packCommitTree(loc, ids[0]!);
    expect(packed.objects).toBe(5);
    expect(packed.objects).toBe((await packCommitTree(loc, ids[0]!, { via: 'isomorphic-git' })).objects);
    await run('chmod', ['-R', 'u+w', mirror]);
  });
});
