import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { readTarFiles } from './tar.js';

async function tarOf(entries: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const [name, body] of Object.entries(entries)) p.entry({ name, mode: 0o755 }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('readTarFiles', () => {
  it('reads regular files with their modes, the prefix stripped', async () => {
    const files = await readTarFiles(await tarOf({ 'package/bin/node': 'ELF', 'package/a/b.txt': 'b' }), {
      stripPrefix: /^package\//,
    });
    expect([...files.keys()]).toEqual(['bin/node', 'a/b.txt']);
    expect(files.get('bin/node')).toMatchObject({ mode: 0o755 });
    expect(files.get('a/b.txt')?.body.toString()).toBe('b');
  });

  it('refuses an entry that climbs out of its directory', async () => {
    await expect(readTarFiles(await tarOf({ 'package/../../etc/cron.d/x': 'evil' }))).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_SANDBOX',
    });
    await expect(readTarFiles(await tarOf({ '/etc/passwd': 'evil' }))).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_SANDBOX',
    });
  });
});
