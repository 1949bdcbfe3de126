import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32, createInflate, inflateSync } from 'node:zlib';
import { DeltaBaseCache } from './delta-base-cache.js';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, parseEntryHeader, TYPE_NAMES, type EntryHeader } from './pack-entry.js';
import { PackFile, type ExternalBase } from './pack-file.js';
import { packIndexBytes, type PackIndexEntry } from './pack-index-writer.js';
import { nextOffset, type PackLayout } from './pack-index.js';

export interface IndexedPack {
  /** The pack's trailing SHA-1 (hex): its name is `pack-<checksum>.pack`. */
  checksum: string;
  /** The `.idx` file's bytes. */
  idx: Buffer;
  count: number;
}

/** Entries whose data fits in one read are inflated at once; larger ones are streamed. */
const READ_SIZE = 256 * 1024;
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
 * and the pack checksum); deltas are then resolved through PackFile. Bases
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
  let offset = 12;
  for (let n = 0; n < count; n++) {
    if (offset >= end) throw new Error(`${packPath} ends after ${n} of its ${count} objects`);
    const { header, crc, oid, entryEnd } = await scanEntry(handle, offset, end, packHash).catch((err: Error) => {
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
async function scanEntry(handle: FileHandle, offset: number, end: number, packHash: Hash): Promise<{ header: EntryHeader; crc: number; oid?: string; entryEnd: number }> {
  const first = await readAt(handle, offset, Math.min(READ_SIZE, end - offset));
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
  // While zlib takes everything it is given, its stream has not ended.
  while (inflate.bytesWritten === fed) {
    const length = Math.min(STREAM_CHUNK, limit - start - fed);
    if (length <= 0) {
      inflate.end();
      break;
    }
    const chunk = await readAt(handle, start + fed, length);
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
  for (let at = offset; at < entryEnd; at += STREAM_CHUNK) {
    const raw = await readAt(handle, at, Math.min(STREAM_CHUNK, entryEnd - at));
    packHash.update(raw);
    crc = crc32(raw, crc);
  }
  return crc;
}

/** Ids of delta entries: read through PackFile once their base's id is known, until none is left. */
async function resolveDeltas(packPath: string, entries: Scanned[], external: ExternalBase): Promise<void> {
  const byOffset = new Map(entries.map((e) => [e.offset, e]));
  const byId = new Map<string, number>();
  for (const e of entries) if (e.oid) byId.set(e.oid, e.offset);
  const offsets = Float64Array.from(entries.map((e) => e.offset));
  const lastEnd = await packEnd(packPath);
  const layout: PackLayout = { offsetOf: (oid) => byId.get(oid), endOf: (offset) => nextOffset(offsets, offset, lastEnd) };
  const pack = new PackFile(packPath, layout, external, new DeltaBaseCache());
  let pending = entries.filter((e) => !e.oid);
  let allowExternal = false;
  while (pending.length > 0) {
    const left: Scanned[] = [];
    for (const e of pending) {
      if (!allowExternal && waitsOnUnknownBase(e, byOffset, byId)) {
        left.push(e);
        continue;
      }
      const object = await pack.readAt(e.offset);
      e.oid = createHash('sha1').update(`${object.type} ${object.content.length}\0`).update(object.content).digest('hex');
      byId.set(e.oid, e.offset);
    }
    if (left.length === pending.length) {
      // What is left needs bases from outside the pack (or from itself: corrupt); the last round asks `external`.
      if (allowExternal) throw new Error(`${packPath}: ${left.length} deltas have no base`);
      allowExternal = true;
    }
    pending = left;
  }
}

/** Whether the delta chain from `e` reaches a REF_DELTA whose base id is not known yet. */
function waitsOnUnknownBase(e: Scanned, byOffset: Map<number, Scanned>, byId: Map<string, number>): boolean {
  for (let at: Scanned | undefined = e; at && !at.oid; ) {
    if (at.header.baseId !== undefined) return !byId.has(at.header.baseId);
    at = byOffset.get(at.header.baseOffset!);
  }
  return false;
}

async function packEnd(packPath: string): Promise<number> {
  const handle = await open(packPath, 'r');
  try {
    return (await handle.stat()).size - 20;
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  if (bytesRead !== length) throw new Error(`pack cut short at ${position + bytesRead}`);
  return buf;
}
