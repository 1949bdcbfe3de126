import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';
import { PackIndex } from './pack/pack-index.js';

/**
 * The size of a Git object's content, read from its headers without
 * inflating it: isomorphic-git only reads whole objects (packed ones always
 * inflated, deltas applied), so a 300 MB blob would be in memory before any
 * limit could refuse it. A loose object's `<type> <size>\0` header is the
 * first bytes of its zlib stream; a packed object's size is in its entry
 * header, and a delta's result size in the first bytes of its delta stream.
 * Undefined when the object is in neither (isomorphic-git then reports it).
 */
export class ObjectSizes {
  private readonly indexes = new Map<string, { mtimeMs: number; index: PackIndex }>();

  constructor(readonly gitdir: string) {}

  async sizeOf(oid: string): Promise<number | undefined> {
    return (await this.loose(oid)) ?? (await this.packed(oid));
  }

  private async loose(oid: string): Promise<number | undefined> {
    const head = await readHead(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 0, 512);
    if (!head) return undefined;
    const text = inflatePrefix(head).subarray(0, 64).toString('latin1');
    const m = /^[a-z]+ (\d+)\0/.exec(text);
    if (!m) throw new Error(`loose object ${oid} has no header`);
    return Number(m[1]);
  }

  private async packed(oid: string): Promise<number | undefined> {
    const dir = join(this.gitdir, 'objects', 'pack');
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.idx'))) {
      const index = await this.index(join(dir, name));
      const offset = index?.offsetOf(oid);
      if (offset === undefined) continue;
      return entrySize(join(dir, name.replace(/\.idx$/, '.pack')), offset);
    }
    return undefined;
  }

  private async index(file: string): Promise<PackIndex | undefined> {
    const s = await stat(file).catch(() => undefined);
    const pack = await stat(file.replace(/\.idx$/, '.pack')).catch(() => undefined);
    if (!s || !pack) return undefined;
    const cached = this.indexes.get(file);
    if (cached?.mtimeMs === s.mtimeMs) return cached.index;
    const index = new PackIndex(await readFile(file), pack.size);
    this.indexes.set(file, { mtimeMs: s.mtimeMs, index });
    return index;
  }
}

const OFS_DELTA = 6;
const REF_DELTA = 7;

/** The content size of the pack entry at `offset`: its header's size, or for a delta the size it produces. */
async function entrySize(pack: string, offset: number): Promise<number> {
  const head = (await readHead(pack, offset, 1024))!;
  let i = 0;
  let byte = head[i++];
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  for (let shift = 4; byte & 0x80; shift += 7) {
    byte = head[i++];
    size += (byte & 0x7f) * 2 ** shift;
  }
  if (type !== OFS_DELTA && type !== REF_DELTA) return size;
  if (type === REF_DELTA) i += 20;
  else while (head[i++] & 0x80);
  // The delta starts with two sizes (source, then result), little-endian base-128.
  const delta = inflatePrefix(head.subarray(i));
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = delta[at++];
      if (b === undefined) throw new Error(`pack entry at ${offset} of ${pack}: delta header cut short`);
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  };
  varint();
  return varint();
}

/** Up to `length` bytes of `file` from `position`; undefined when the file does not exist. */
async function readHead(file: string, position: number, length: number): Promise<Buffer | undefined> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!handle) return undefined;
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What the start of a zlib stream inflates to, without needing (or reading) the rest; at most ~1 MB from the 1 KB given. */
function inflatePrefix(head: Buffer): Buffer {
  return inflateSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 4 << 20 });
}
