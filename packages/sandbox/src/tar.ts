import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { FileInput } from './types.js';

/** Normalizes `writeFiles` input into a list, resolving relative paths against `workdir`. */
export function normalizeFiles(
  files: readonly FileInput[] | Record<string, string | Uint8Array>,
  workdir: string,
): FileInput[] {
  const list = Array.isArray(files)
    ? (files as readonly FileInput[])
    : Object.entries(files).map(([path, content]) => ({ path, content }));
  return list.map((f) => ({ ...f, path: posix.resolve(workdir, f.path) }));
}

/** Builds an in-memory tar of files with absolute paths (stored relative to `/`). */
export async function tarFiles(
  files: readonly FileInput[],
  owner?: { uid: number; gid: number },
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const f of files) {
    const body = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
    p.entry({ name: f.path.replace(/^\/+/, ''), mode: f.mode ?? 0o644, mtime: new Date(0), ...owner }, body);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Reads the first regular file of a tar stream (what Docker's archive API returns for a file path). */
export function firstFileOfTar(stream: Readable): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const x = extract();
    let found: Uint8Array | undefined;
    x.on('entry', (header, body, next) => {
      if (found || header.type !== 'file') {
        body.resume();
        body.on('end', next);
        return;
      }
      const parts: Buffer[] = [];
      body.on('data', (c) => parts.push(c as Buffer));
      body.on('end', () => {
        found = Buffer.concat(parts);
        next();
      });
    });
    x.on('finish', () => resolve(found));
    x.on('error', reject);
    stream.on('error', reject);
    stream.pipe(x);
  });
}
