import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, createInflate, inflateSync } from 'node:zlib';
import { applyDelta } from './apply-delta.js';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, parseEntryHeader, TYPE_NAMES, type EntryHeader } from './pack-entry.js';
import { readEntry, type ExternalBase } from './pack-file.js';
import { packIndexBytes, type PackIndexEntry } from './pack-index-writer.js';
import { nextOffset } from './pack-index.js';
import type { RawObject } from './raw-object.js';

export interface IndexedPack {
  /** The pack's trailing SHA-1 (hex): its name is `pack-<checksum>.pack`. */
  checksum: string;
  /** The `.idx` file's bytes. */
  idx: Buffer;
  count: number;
}

/** Entries whose data fits in one read are inflated at once; larger ones are streamed. */
const READ_SIZE = 256 * 1024;
const WINDOW_SIZE = 4 << 20;
const STREAM_CHUNK = 1 << 20;

interface Scanned {
  offset: number;
  header: EntryHeader;
  crc: number;
  /** Known at once for whole objects; a delta's after its chain is resolved. */
  oid?: string;
}

/**
 * Builds the `.idx` of the pack file at `packPath` the way `git index-pack`
 * does, without ever holding a whole object that is not a delta base: one
 * streaming pass reads each entry's header, inflates its data in chunks while
 * hashing `<type> <size>\0<content>` (and the entry's raw bytes for its CRC32
 * and the pack checksum); deltas are then resolved base first. Bases
 * not in the pack (a thin pack) come from `external`.
 */
export async function indexPack(packPath: string, external: ExternalBase = async () => undefined): Promise<IndexedPack> {
  const handle = await open(packPath, 'r');
  let entries: Scanned[];
  let checksum: Buffer;
  try {
    ({ entries, checksum } = await scanPack(handle, packPath));
  } finally {
    await handle.close();
  }
  await resolveDeltas(packPath, entries, external);
  const indexEntries: PackIndexEntry[] = entries.map((e) => ({ oid: e.oid!, offset: e.offset, crc: e.crc }));
  return { checksum: checksum.toString('hex'), idx: packIndexBytes(indexEntries, checksum), count: entries.length };
}

async function scanPack(handle: FileHandle, packPath: string): Promise<{ entries: Scanned[]; checksum: Buffer }> {
  const { size } = await handle.stat();
  const end = size - 20;
  const head = await readAt(handle, 0, Math.min(12, size));
  if (size < 32 || head.toString('latin1', 0, 4) !== 'PACK' || ![2, 3].includes(head.readUInt32BE(4))) throw new Error(`${packPath} is not a Git pack`);
  const count = head.readUInt32BE(8);
  const packHash = createHash('sha1').update(head);
  const entries: Scanned[] = [];
  const window = new ReadWindow(handle, end);
  let offset = 12;
  for (let n = 0; n < count; n++) {
    if (offset >= end) throw new Error(`${packPath} ends after ${n} of its ${count} objects`);
    const { header, crc, oid, entryEnd } = await scanEntry(handle, await window.at(offset), offset, end, packHash).catch((err: Error) => {
      throw new Error(`${packPath}: entry ${n} at ${offset}: ${err.message}`, { cause: err });
    });
    entries.push({ offset, header, crc, oid });
    offset = entryEnd;
  }
  if (offset !== end) throw new Error(`${packPath} has ${end - offset} bytes after its last object`);
  const checksum = packHash.digest();
  const trailer = await readAt(handle, end, 20);
  if (!trailer.equals(checksum)) throw new Error(`${packPath} is corrupt: its checksum ${trailer.toString('hex')} is not the SHA-1 of its content (${checksum.toString('hex')})`);
  return { entries, checksum };
}

/** One entry of the pack's first pass: its header, CRC32, id (not for deltas) and where it ends. */
async function scanEntry(
  handle: FileHandle,
  first: Buffer,
  offset: number,
  end: number,
  packHash: Hash,
): Promise<{ header: EntryHeader; crc: number; oid?: string; entryEnd: number }> {
  const header = parseEntryHeader(first, offset);
  const objectHash = header.type === OBJ_OFS_DELTA || header.type === OBJ_REF_DELTA ? undefined : createHash('sha1').update(`${TYPE_NAMES[header.type]} ${header.size}\0`);
  let produced = 0;
  const onData = (chunk: Buffer): void => {
    produced += chunk.length;
    objectHash?.update(chunk);
  };
  const data = first.subarray(header.length);
  let consumed: number;
  // Deflate grows incompressible data by a few bytes per 16 KiB block; 1 KiB of margin covers what fits in one read.
  if (header.size + 1024 <= data.length || offset + first.length === end) {
    const { buffer, engine } = inflateSync(data, { info: true, maxOutputLength: Math.max(header.size, 1) }) as unknown as InflateInfo;
    onData(buffer);
    consumed = engine.bytesWritten;
  } else {
    consumed = await inflateFrom(handle, offset + header.length, end, onData);
  }
  if (produced !== header.size) throw new Error(`inflates to ${produced} bytes, its header says ${header.size}`);
  const entryEnd = offset + header.length + consumed;
  const crc = await rawPass(handle, first, offset, entryEnd, packHash);
  return { header, crc, oid: objectHash?.digest('hex'), entryEnd };
}

/** The pack read sequentially in large reads: most entries are inflated straight from it. */
class ReadWindow {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly end: number,
  ) {}

  /** The pack's bytes from `offset`: at least READ_SIZE of them, or all up to the checksum. */
  async at(offset: number): Promise<Buffer> {
    const need = Math.min(READ_SIZE, this.end - offset);
    if (offset < this.start || offset + need > this.start + this.buf.length) {
      this.buf = await readAt(this.handle, offset, Math.min(WINDOW_SIZE, this.end - offset));
      this.start = offset;
    }
    return this.buf.subarray(offset - this.start);
  }
}

interface InflateInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/**
 * Inflates the zlib stream starting at `start`, chunk by chunk, handing the
 * output to `onData`; returns how many bytes the stream took (zlib stops at
 * its end, so what it was fed past that is the next entry).
 */
async function inflateFrom(handle: FileHandle, start: number, limit: number, onData: (chunk: Buffer) => void): Promise<number> {
  const inflate = createInflate();
  const ended = new Promise<void>((resolve, reject) => {
    inflate.on('data', onData);
    inflate.once('end', resolve);
    inflate.once('error', reject);
  });
  ended.catch(() => undefined);
  let fed = 0;
  // One buffer, reused: each write is awaited until zlib has taken it.
  const buf = Buffer.allocUnsafe(STREAM_CHUNK);
  // While zlib takes everything it is given, its stream has not ended.
  while (inflate.bytesWritten === fed) {
    const length = Math.min(STREAM_CHUNK, limit - start - fed);
    if (length <= 0) {
      inflate.end();
      break;
    }
    const chunk = await readInto(handle, buf, start + fed, length);
    fed += length;
    await Promise.race([new Promise<void>((resolve, reject) => inflate.write(chunk, (err) => (err ? reject(err) : resolve()))), ended]);
  }
  await ended;
  return inflate.bytesWritten;
}

/** CRC32 of the entry's raw bytes, which also go into the pack checksum; `first` holds its start. */
async function rawPass(handle: FileHandle, first: Buffer, offset: number, entryEnd: number, packHash: Hash): Promise<number> {
  if (entryEnd - offset <= first.length) {
    const raw = first.subarray(0, entryEnd - offset);
    packHash.update(raw);
    return crc32(raw);
  }
  let crc = 0;
  const buf = Buffer.allocUnsafe(STREAM_CHUNK);
  for (let at = offset; at < entryEnd; at += STREAM_CHUNK) {
    const raw = await readInto(handle, buf, at, Math.min(STREAM_CHUNK, entryEnd - at));
    packHash.update(raw);
    crc = crc32(raw, crc);
  }
  return crc;
}

/**
 * Ids of the delta entries, as `git index-pack` finds them: from each whole
 * object, apply the deltas based on it (by offset or by id), then theirs, so
 * every entry is inflated once and only one chain of contents is held at a
 * time. Deltas on bases outside the pack (a thin pack) start from `external`.
 */
async function resolveDeltas(packPath: string, entries: Scanned[], external: ExternalBase): Promise<void> {
  const byOffset = new Map<number, Scanned[]>();
  const byId = new Map<string, Scanned[]>();
  for (const e of entries) {
    if (e.header.baseOffset !== undefined) push(byOffset, e.header.baseOffset, e);
    else if (e.header.baseId !== undefined) push(byId, e.header.baseId, e);
  }
  if (byOffset.size === 0 && byId.size === 0) return;
  const offsets = Float64Array.from(entries.map((e) => e.offset));
  const last = await packEnd(packPath);
  const handle = await open(packPath, 'r');
  try {
    const entry = (offset: number) => readEntry(handle, packPath, offset, nextOffset(offsets, offset, last));
    const applyAll = async (base: RawObject, offset: number | undefined, oid: string): Promise<void> => {
      const children = [...(offset === undefined ? [] : (byOffset.get(offset) ?? [])), ...(byId.get(oid) ?? [])];
      if (offset !== undefined) byOffset.delete(offset);
      byId.delete(oid);
      for (const child of children) {
        const content = applyDelta(base.content, (await entry(child.offset)).data);
        child.oid = objectId(base.type, content);
        await applyAll({ type: base.type, content }, child.offset, child.oid);
      }
    };
    for (const e of entries) {
      if (!e.oid || e.header.baseOffset !== undefined || e.header.baseId !== undefined) continue;
      if (!byOffset.has(e.offset) && !byId.has(e.oid)) continue;
      const { header, data } = await entry(e.offset);
      await applyAll({ type: TYPE_NAMES[header.type], content: data }, e.offset, e.oid);
    }
    for (const oid of [...byId.keys()]) {
      const base = await external(oid);
      if (base) await applyAll(base, undefined, oid);
    }
  } finally {
    await handle.close();
  }
  const missing = entries.filter((e) => !e.oid).length;
  if (missing > 0) throw new Error(`${packPath}: ${missing} deltas have no base in the pack or the repository`);
}

function push<K>(map: Map<K, Scanned[]>, key: K, e: Scanned): void {
  const list = map.get(key);
  if (list) list.push(e);
  else map.set(key, [e]);
}

function objectId(type: string, content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

async function packEnd(packPath: string): Promise<number> {
  const handle = await open(packPath, 'r');
  try {
    return (await handle.stat()).size - 20;
  } finally {
    await handle.close();
  }
}

function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  return readInto(handle, Buffer.allocUnsafe(length), position, length);
}

/** `length` bytes at `position` into the start of `buf`; the view of them. */
async function readInto(handle: FileHandle, buf: Buffer, position: number, length: number): Promise<Buffer> {
  const { bytesRead } = await handle.read(buf, 0, length, position);
  if (bytesRead !== length) throw new Error(`pack cut short at ${position + bytesRead}`);
  return buf.subarray(0, length);
}
