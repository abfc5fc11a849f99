import type { Readable } from 'node:stream';

/**
 * Splits Docker's multiplexed attach stream (8-byte frame headers: stream type, 3 zero bytes, length)
 * into stdout and stderr chunks. Resolves when the stream ends.
 */
export function demuxDockerStream(
  stream: Readable,
  onChunk: (kind: 'stdout' | 'stderr', chunk: Uint8Array) => void,
): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    stream.on('data', (data: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, data]) : data;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const kind = pending[0] === 2 ? 'stderr' : 'stdout';
        onChunk(kind, pending.subarray(8, 8 + size));
        pending = pending.subarray(8 + size);
      }
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
}
