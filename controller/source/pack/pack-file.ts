import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { applyDelta } from './apply-delta.js';
import type { DeltaBaseCache } from './delta-base-cache.js';
import { OBJ_OFS_DELTA, OBJ_REF_DELTA, parseEntryHeader, TYPE_NAMES, type EntryHeader } from './pack-entry.js';
import type { PackLayout } from './pack-index.js';
import type { RawObject } from './raw-object.js';

/** Finds a REF_DELTA's base outside this pack (another pack, or a loose object). */
export type ExternalBase = (oid: string) => Promise<RawObject | undefined>;

const MAX_CHAIN = 10_000;

/**
 * Reads single objects from a pack file: only the requested entry's bytes
 * (and its delta bases') are read, with positioned reads, and inflated. The
 * pack is never loaded whole, so a large blob beside the manifests costs no
 * memory unless it is itself read.
 */
export class PackFile {
  constructor(
    readonly path: string,
    readonly layout: PackLayout,
    private readonly external: ExternalBase,
    private readonly cache: DeltaBaseCache,
  ) {}

  /** The object `oid`, undefined when this pack does not hold it. */
  async read(oid: string): Promise<RawObject | undefined> {
    const offset = this.layout.offsetOf(oid);
    return offset === undefined ? undefined : this.readAt(offset);
  }

  /** The object whose entry starts at `offset`, its delta chain resolved. */
  async readAt(offset: number): Promise<RawObject> {
    const handle = await open(this.path, 'r');
    try {
      return await this.resolve(handle, offset);
    } finally {
      await handle.close();
    }
  }

  private async resolve(handle: FileHandle, offset: number): Promise<RawObject> {
    // Walk down to a base (a whole object, a cached one, or one outside the pack), then apply the deltas back up.
    const chain: { offset: number; delta: Buffer }[] = [];
    let at = offset;
    let base: RawObject | undefined;
    while (!base) {
      if (chain.length > MAX_CHAIN) throw new Error(`${this.path}: delta chain at ${offset} is longer than ${MAX_CHAIN}`);
      base = this.cache.get(this.key(at));
      if (base) break;
      const { header, data } = await this.entry(handle, at);
      if (header.type === OBJ_OFS_DELTA) {
        chain.push({ offset: at, delta: data });
        at = header.baseOffset!;
      } else if (header.type === OBJ_REF_DELTA) {
        chain.push({ offset: at, delta: data });
        const inPack = this.layout.offsetOf(header.baseId!);
        if (inPack !== undefined) at = inPack;
        else {
          base = await this.external(header.baseId!);
          if (!base) throw new Error(`${this.path}: the delta at ${at} needs object ${header.baseId}, which is not in the repository`);
        }
      } else {
        base = { type: TYPE_NAMES[header.type], content: data };
        if (chain.length > 0) this.cache.set(this.key(at), base);
      }
    }
    let object = base;
    for (let k = chain.length - 1; k >= 0; k--) {
      object = { type: object.type, content: applyDelta(object.content, chain[k].delta) };
      if (k > 0) this.cache.set(this.key(chain[k].offset), object);
    }
    return object;
  }

  private entry(handle: FileHandle, offset: number): Promise<{ header: EntryHeader; data: Buffer }> {
    return readEntry(handle, this.path, offset, this.layout.endOf(offset));
  }

  private key(offset: number): string {
    return `${this.path}:${offset}`;
  }
}

/** The header and inflated data (a delta's data is the delta itself) of the entry at [`offset`, `end`) of `path`. */
export async function readEntry(handle: FileHandle, path: string, offset: number, end: number): Promise<{ header: EntryHeader; data: Buffer }> {
  const raw = Buffer.allocUnsafe(end - offset);
  const { bytesRead } = await handle.read(raw, 0, raw.length, offset);
  if (bytesRead !== raw.length) throw new Error(`${path}: entry at ${offset} is cut short (pack truncated?)`);
  const header = parseEntryHeader(raw, offset);
  const data = inflateSync(raw.subarray(header.length), { maxOutputLength: Math.max(header.size, 1) });
  if (data.length !== header.size) throw new Error(`${path}: entry at ${offset} inflates to ${data.length} bytes, its header says ${header.size}`);
  return { header, data };
}
