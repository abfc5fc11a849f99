import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-fs';

interface TarHeader {
  name: string;
  type?: string | null;
  linkname?: string | null;
}

/**
 * Whether a tar entry from a sandbox may be written on the host: regular files, directories and links whose
 * targets stay inside the extraction root. Devices, fifos and escaping links are refused.
 */
function safeTarEntry(header: TarHeader | undefined): boolean {
  if (!header) return true;
  const type = header.type ?? 'file';
  if (type === 'file' || type === 'directory') return !escapes(header.name);
  if (type === 'symlink' || type === 'link') {
    const target = header.linkname ?? '';
    if (target.startsWith('/')) return false;
    const base = type === 'symlink' ? posix.dirname(header.name) : '.';
    return !escapes(header.name) && !escapes(posix.join(base, target));
  }
  return false;
}

function escapes(path: string): boolean {
  const norm = posix.normalize(path.replace(/^\/+/, ''));
  return norm === '..' || norm.startsWith('../');
}

/**
 * Extracts a tar stream from a sandbox into `hostDest`, treating it as hostile: only files, dirs and links that
 * stay inside hostDest; no devices, no setuid bits.
 */
export function extractTarSafely(stream: Readable, hostDest: string): Promise<void> {
  const x = tarExtract(hostDest, {
    ignore: (_name, header) => !safeTarEntry(header),
    dmode: 0o755,
    fmode: 0o644,
  });
  return new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    x.on('error', reject);
    x.on('finish', resolve);
    stream.pipe(x);
  });
}
