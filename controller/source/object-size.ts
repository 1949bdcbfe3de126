import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';
import type { ObjectStore } from './pack/object-store.js';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, parseEntryHeader } from './pack/pack-entry.js';
import { parseLooseObject } from './pack/loose-object.js';
import type { RawObject } from './pack/raw-object.js';

/** Bytes of a loose object's file read for its header; a file no longer than this is read whole. */
const LOOSE_HEAD = 1024;

/** An object's content size and, for a loose object small enough to be read whole on the way, the object itself. */
export interface ObjectSize {
  size: number;
  object?: RawObject;
}

/**
 * The size of a Git object's content, read from its headers without
 * inflating it, so a limit can refuse a 300 MB blob before it is read. A
 * loose object's `<type> <size>\0` header is the first bytes of its zlib
 * stream; a packed object's size is in its entry header, and a delta's result
 * size in the first bytes of its delta stream. Undefined when the object is
 * in neither.
 */
export class ObjectSizes {
  constructor(
    readonly gitdir: string,
    private readonly store: ObjectStore,
  ) {}

  async sizeOf(oid: string): Promise<ObjectSize | undefined> {
    return (await this.loose(oid)) ?? (await this.packed(oid));
  }

  private async loose(oid: string): Promise<ObjectSize | undefined> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return undefined;
    const head = await readHead(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 0, LOOSE_HEAD);
    if (!head) return undefined;
    // Most files of a repository are a few hundred bytes: read whole, they need no second open to be read.
    if (head.length < LOOSE_HEAD) {
      const object = parseLooseObject(inflatePrefix(head), oid, this.gitdir);
      return { size: object.content.length, object };
    }
    const text = inflatePrefix(head).subarray(0, 64).toString('latin1');
    const m = /^[a-z]+ (\d+)\0/.exec(text);
    if (!m) throw new Error(`loose object ${oid} has no header`);
    return { size: Number(m[1]) };
  }

  private async packed(oid: string): Promise<ObjectSize | undefined> {
    const at = await this.store.packedAt(oid);
    return at && { size: await entrySize(at.path, at.offset) };
  }
}

/** The content size of the pack entry at `offset`: its header's size, or for a delta the size it produces. */
async function entrySize(pack: string, offset: number): Promise<number> {
  const head = (await readHead(pack, offset, 1024))!;
  const header = parseEntryHeader(head, offset);
  if (header.type !== OBJ_OFS_DELTA && header.type !== OBJ_REF_DELTA) return header.size;
  // The delta starts with two sizes (source, then result), little-endian base-128.
  const delta = inflatePrefix(head.subarray(header.length));
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
