import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { SandboxError } from './errors.js';
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

/** A regular file read from a tar. */
export interface TarFile {
  body: Buffer;
  mode: number;
}

/** A tar entry's path, refused when it is absolute or climbs out (`..`): archives are untrusted input. */
function safeEntryPath(name: string): string {
  const path = posix.normalize(name);
  if (posix.isAbsolute(path) || path === '..' || path.startsWith('../'))
    throw new SandboxError('PATH_OUTSIDE_SANDBOX', `tar entry '${name}' points outside its directory`);
  return path;
}

/**
 * The one tar reader: the regular files of a tar stream or buffer (gunzip first), by path (checked, and with
 * `stripPrefix` removed, e.g. npm's `package/`). `first`: only the first regular file (what Docker's archive
 * API returns for a file path).
 */
export function readTarFiles(
  input: Readable | Uint8Array,
  options: { stripPrefix?: RegExp; first?: boolean } = {},
): Promise<Map<string, TarFile>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, TarFile>();
    const x = extract();
    x.on('entry', (header, body, next) => {
      if (header.type !== 'file' || (options.first && files.size > 0)) {
        body.resume();
        body.on('end', next);
        return;
      }
      const parts: Buffer[] = [];
      body.on('data', (c) => parts.push(c as Buffer));
      body.on('end', () => {
        try {
          const path = safeEntryPath(header.name).replace(options.stripPrefix ?? /^$/, '');
          files.set(path, { body: Buffer.concat(parts), mode: header.mode ?? 0o644 });
          next();
        } catch (error) {
          x.destroy(error as Error);
        }
      });
    });
    x.on('finish', () => resolve(files));
    x.on('error', reject);
    if (input instanceof Uint8Array) x.end(input);
    else {
      input.on('error', reject);
      input.pipe(x);
    }
  });
}

/** Reads the first regular file of a tar stream (what Docker's archive API returns for a file path). */
export async function firstFileOfTar(stream: Readable): Promise<Uint8Array | undefined> {
  const files = await readTarFiles(stream, { first: true });
  return files.values().next().value?.body;
}
