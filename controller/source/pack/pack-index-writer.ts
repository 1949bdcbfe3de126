import { createHash } from 'node:crypto';

export interface PackIndexEntry {
  /** Object id, 40 hex digits. */
  oid: string;
  /** Where its entry starts in the pack. */
  offset: number;
  /** CRC32 of the entry's bytes as stored in the pack (header and deflated data). */
  crc: number;
}

/** Offsets from 2^31 on go to the 64-bit table, as `git index-pack` does by default. */
const MAX_SMALL_OFFSET = 0x7fffffff;

/**
 * The bytes of a version 2 `.idx` for a pack holding `entries`, the same bytes
 * `git index-pack` writes: header, fan-out, sorted ids, CRCs, offsets, 64-bit
 * offsets, the pack's checksum, then the SHA-1 of all that.
 */
export function packIndexBytes(entries: readonly PackIndexEntry[], packChecksum: Buffer, smallOffsetLimit = MAX_SMALL_OFFSET): Buffer {
  const sorted = [...entries].sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset > smallOffsetLimit).length;
  const out = Buffer.alloc(8 + 256 * 4 + n * 28 + large * 8 + 40);
  out.writeUInt32BE(0xff744f63, 0);
  out.writeUInt32BE(2, 4);
  const fanout = 8;
  const ids = fanout + 256 * 4;
  const crcs = ids + n * 20;
  const offsets = crcs + n * 4;
  const bigOffsets = offsets + n * 4;
  const counts = new Uint32Array(256);
  let bigIndex = 0;
  sorted.forEach((e, i) => {
    counts[parseInt(e.oid.slice(0, 2), 16)]++;
    out.write(e.oid, ids + i * 20, 'hex');
    out.writeUInt32BE(e.crc >>> 0, crcs + i * 4);
    if (e.offset > smallOffsetLimit) {
      out.writeUInt32BE((0x80000000 | bigIndex) >>> 0, offsets + i * 4);
      out.writeBigUInt64BE(BigInt(e.offset), bigOffsets + bigIndex++ * 8);
    } else {
      out.writeUInt32BE(e.offset, offsets + i * 4);
    }
  });
  let total = 0;
  for (let b = 0; b < 256; b++) out.writeUInt32BE((total += counts[b]), fanout + b * 4);
  const trailer = bigOffsets + large * 8;
  packChecksum.copy(out, trailer);
  createHash('sha1').update(out.subarray(0, trailer + 20)).digest().copy(out, trailer + 20);
  return out;
}
