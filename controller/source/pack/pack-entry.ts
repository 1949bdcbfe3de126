/** Pack entry types (gitformat-pack); 6 and 7 are deltas against a base. */
export const OBJ_COMMIT = 1;
export const OBJ_TREE = 2;
export const OBJ_BLOB = 3;
export const OBJ_TAG = 4;
export const OBJ_OFS_DELTA = 6;
export const OBJ_REF_DELTA = 7;

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export const TYPE_NAMES: Readonly<Record<number, ObjectType>> = { [OBJ_COMMIT]: 'commit', [OBJ_TREE]: 'tree', [OBJ_BLOB]: 'blob', [OBJ_TAG]: 'tag' };

/** The header of the entry at the start of `buf`, which holds at least its first 32 bytes (or the rest of the pack). */
export interface EntryHeader {
  type: number;
  /** Inflated size: the object's content, or for a delta the delta's own size. */
  size: number;
  /** Bytes before the zlib stream. */
  length: number;
  /** OFS_DELTA: the base's offset in the same pack. */
  baseOffset?: number;
  /** REF_DELTA: the base's id. */
  baseId?: string;
}

/** Parses an entry header; `offset` is where the entry is in the pack (an OFS_DELTA's base is relative to it). */
export function parseEntryHeader(buf: Buffer, offset: number): EntryHeader {
  let i = 0;
  const next = (): number => {
    if (i >= buf.length) throw new Error(`pack entry at ${offset}: header cut short`);
    return buf[i++];
  };
  let byte = next();
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  for (let shift = 4; byte & 0x80; shift += 7) {
    byte = next();
    size += (byte & 0x7f) * 2 ** shift;
  }
  if (type === OBJ_OFS_DELTA) {
    // Big-endian base-128 where each continuation adds one (so no two encodings mean the same distance).
    byte = next();
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      byte = next();
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    if (distance <= 0 || distance > offset) throw new Error(`pack entry at ${offset}: delta base ${distance} bytes back is outside the pack`);
    return { type, size, length: i, baseOffset: offset - distance };
  }
  if (type === OBJ_REF_DELTA) {
    if (buf.length < i + 20) throw new Error(`pack entry at ${offset}: header cut short`);
    return { type, size, length: i + 20, baseId: buf.toString('hex', i, i + 20) };
  }
  if (!TYPE_NAMES[type]) throw new Error(`pack entry at ${offset}: unknown object type ${type}`);
  return { type, size, length: i };
}
