import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';

/**
 * A git object's size read from its header, without inflating the object: isomorphic-git reads a blob whole
 * (a multi-GB blob is gigabytes of memory, and past Node's Buffer limit, a crash), so the miner asks the size
 * first. Loose objects: the zlib stream starts `blob <size>\0`. Packed objects: the entry header holds the
 * size; for a delta, the delta's own header holds the result size. `undefined` when the object is in neither
 * place this reads (alternates, a pack index format other than v2): the caller reads it the usual way.
 */
export async function objectSize(
  gitdir: string,
  oid: string,
  cache?: PackIndexCache,
): Promise<number | undefined> {
  const loose = await looseObjectSize(gitdir, oid);
  if (loose !== undefined) return loose;
  for (const pack of await packIndexes(gitdir, cache)) {
    const offset = pack.offsetOf(oid);
    if (offset !== undefined) return packedObjectSize(pack.packPath, offset);
  }
  return undefined;
}

/** Parsed pack indexes, per gitdir, kept across calls of one mining run. */
export type PackIndexCache = Map<string, PackIndex[]>;

interface PackIndex {
  packPath: string;
  offsetOf(oid: string): number | undefined;
}

/** Inflates the start of a zlib stream: enough bytes for a header, never the whole object. */
async function inflatedPrefix(
  path: string,
  position: number,
  enough: (out: Buffer) => boolean,
): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    let out = Buffer.alloc(0);
    // A dynamic Huffman block's tables come before its first byte of output: a few hundred bytes at most.
    for (const length of [512, 8192]) {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, position);
      out = inflateSync(buffer.subarray(0, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH });
      if (enough(out)) return out;
    }
    return out;
  } finally {
    await file.close();
  }
}

async function looseObjectSize(gitdir: string, oid: string): Promise<number | undefined> {
  const path = join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  let header: Buffer;
  try {
    header = await inflatedPrefix(path, 0, (out) => out.includes(0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const match = /^[a-z]+ (\d+)$/.exec(header.subarray(0, header.indexOf(0)).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

async function packIndexes(gitdir: string, cache?: PackIndexCache): Promise<PackIndex[]> {
  const cached = cache?.get(gitdir);
  if (cached) return cached;
  const dir = join(gitdir, 'objects', 'pack');
  const names = await readdir(dir).catch(() => [] as string[]);
  const indexes: PackIndex[] = [];
  for (const name of names.filter((n) => n.endsWith('.idx'))) {
    const index = parseIndexV2(await readFile(join(dir, name)), join(dir, name.replace(/\.idx$/, '.pack')));
    if (index) indexes.push(index);
  }
  cache?.set(gitdir, indexes);
  return indexes;
}

/** git's pack index v2: magic, version, 256 fanout counts, sorted oids, crcs, 31-bit offsets, 64-bit offsets. */
function parseIndexV2(idx: Buffer, packPath: string): PackIndex | undefined {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return undefined;
  const fanout = 8;
  const count = idx.readUInt32BE(fanout + 255 * 4);
  const oids = fanout + 256 * 4;
  const offsets = oids + count * 20 + count * 4;
  const large = offsets + count * 4;
  return {
    packPath,
    offsetOf(oid) {
      const want = Buffer.from(oid, 'hex');
      const first = want[0]!;
      let lo = first === 0 ? 0 : idx.readUInt32BE(fanout + (first - 1) * 4);
      let hi = idx.readUInt32BE(fanout + first * 4);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const order = want.compare(idx, oids + mid * 20, oids + mid * 20 + 20);
        if (order === 0) {
          const small = idx.readUInt32BE(offsets + mid * 4);
          if (small < 0x80000000) return small;
          return Number(idx.readBigUInt64BE(large + (small & 0x7fffffff) * 8));
        }
        if (order < 0) hi = mid;
        else lo = mid + 1;
      }
      return undefined;
    },
  };
}

const OFS_DELTA = 6;
const REF_DELTA = 7;

/** A little-endian base-128 number (sizes in pack entry and delta headers). Arithmetic, not `<<`: sizes pass 2^31. */
function readVarint(bytes: Buffer, start: number, firstBits = 7): { value: number; next: number } {
  let i = start;
  let value = bytes[i]! & ((1 << firstBits) - 1);
  let scale = 2 ** firstBits;
  while (bytes[i]! & 0x80) {
    i++;
    value += (bytes[i]! & 0x7f) * scale;
    scale *= 128;
  }
  return { value, next: i + 1 };
}

async function packedObjectSize(packPath: string, offset: number): Promise<number> {
  const file = await open(packPath, 'r');
  let head: Buffer;
  try {
    head = (await file.read(Buffer.alloc(64), 0, 64, offset)).buffer;
  } finally {
    await file.close();
  }
  const type = (head[0]! >> 4) & 7;
  // The entry header: the type in bits 4-6 of the first byte, the size in its low 4 bits and on.
  const entry = readVarint(head, 0, 4);
  if (type !== OFS_DELTA && type !== REF_DELTA) return entry.value;
  let dataStart = entry.next;
  if (type === REF_DELTA)
    dataStart += 20; // the base's oid
  else {
    while (head[dataStart]! & 0x80) dataStart++; // the base's negative offset
    dataStart++;
  }
  // The delta starts with the base's size, then the result's: two varints (a byte without the high bit ends each).
  const delta = await inflatedPrefix(
    packPath,
    offset + dataStart,
    (out) => out.filter((b) => b < 0x80).length >= 2,
  );
  const base = readVarint(delta, 0);
  return readVarint(delta, base.next).value;
}
