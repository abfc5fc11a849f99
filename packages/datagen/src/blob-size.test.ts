import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sharedFixture, sharedFixturesDir, skipLoudly, tempDir } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { objectSize, type PackIndexCache } from './blob-size.js';

const exec = promisify(execFile);
const git = (gitdir: string, ...args: string[]) =>
  exec('git', ['-c', 'safe.directory=*', `--git-dir=${gitdir}`, ...args], { maxBuffer: 256 * 1024 * 1024 });

/**
 * Every object of a repo with its size, as git itself reports them. (Through an empty repo borrowing the
 * objects: the shared fixtures are bare copies without refs/, which git does not take for a repo.)
 */
async function sizesByGit(gitdir: string): Promise<Map<string, number>> {
  await using scratch = await tempDir();
  await exec('git', ['init', '-q', '--bare', scratch.path]);
  const { stdout } = await exec(
    'git',
    [
      `--git-dir=${scratch.path}`,
      'cat-file',
      '--batch-all-objects',
      '--batch-check=%(objectname) %(objectsize)',
    ],
    { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_OBJECT_DIRECTORY: join(gitdir, 'objects') } },
  );
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string])
      .map(([oid, size]) => [oid, Number(size)]),
  );
}

/** Compares objectSize with git on every `step`-th object; returns how many were compared. */
async function expectSameSizes(gitdir: string, step = 1): Promise<number> {
  const packs: PackIndexCache = new Map();
  const want = new Map([...(await sizesByGit(gitdir))].filter((_, i) => i % step === 0));
  const got = new Map<string, number | undefined>();
  for (const oid of want.keys()) got.set(oid, await objectSize(gitdir, oid, packs));
  expect(got).toEqual(want);
  return want.size;
}

describe('objectSize: an object size from its header, as git says', () => {
  it('loose objects, then the same repo packed with deltas', async () => {
    await using dir = await tempDir();
    const work = join(dir.path, 'w');
    await exec('git', ['init', '-q', work]);
    const gitdir = join(work, '.git');
    // Versions of one file that git will store as deltas of each other, plus a file of every size class.
    let text = '';
    for (let v = 0; v < 12; v++) {
      text += `line ${v} ${'x'.repeat(v * 40)}\n`.repeat(50);
      await writeFile(join(work, 'grow.txt'), text);
      await writeFile(join(work, `tiny${v}.txt`), 'y'.repeat(v));
      await writeFile(join(work, 'mid.bin'), Buffer.alloc(v * 70_000, v));
      await exec('git', ['-C', work, 'add', '-A']);
      await exec('git', ['-C', work, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qm', `v${v}`]);
    }
    expect(await expectSameSizes(gitdir)).toBeGreaterThan(40);
    await git(gitdir, 'repack', '-a', '-d', '-f', '--depth=20', '--window=20');
    const { stdout } = await git(gitdir, 'verify-pack', '-v', ...(await packIdx(gitdir)));
    expect(stdout).toMatch(/chain length = [1-9]/); // deltas really are read
    expect(await expectSameSizes(gitdir)).toBeGreaterThan(40);
  });

  it('an object that is not there is undefined', async () => {
    await using dir = await tempDir();
    await exec('git', ['init', '-q', '--bare', dir.path]);
    expect(await objectSize(dir.path, 'a'.repeat(40))).toBeUndefined();
  });

  it.skipIf(!sharedFixturesDir() && skipLoudly('objectSize on real packs: ../shared/fixtures is absent'))(
    'every object of the real django and express packs',
    { timeout: 120_000 },
    async () => {
      // django: 25k objects, most of them deltas; a fifth of them is plenty.
      expect(await expectSameSizes(sharedFixture('repos', 'django__django.git'), 5)).toBeGreaterThan(5000);
      expect(await expectSameSizes(sharedFixture('repos', 'expressjs__express.git'))).toBeGreaterThan(500);
    },
  );
});

async function packIdx(gitdir: string): Promise<string[]> {
  const { stdout } = await exec('sh', ['-c', `ls ${join(gitdir, 'objects', 'pack')}/*.idx`]);
  return stdout.trim().split('\n');
}
