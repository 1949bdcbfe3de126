/**
 * Where each object of one pack starts and ends, so one entry can be read with
 * a positioned read. A `.idx` file (PackIndex) answers it; so does the indexer
 * while it builds one.
 */
export interface PackLayout {
  /** Offset of the object's entry in the pack, undefined when the pack does not hold it. */
  offsetOf(oid: string): number | undefined;
  /** Offset just past the entry starting at `offset` (the next entry, or the pack's trailing checksum). */
  endOf(offset: number): number;
}

const MAGIC = 0xff744f63;
const FANOUT = 8;
const IDS = FANOUT + 256 * 4;

/**
 * A version 2 pack index (Git's gitformat-pack): header, 256 fan-out counts,
 * sorted ids, CRC32s, 31-bit offsets (high bit set: an index into the 64-bit
 * offsets that follow), the pack's checksum and the index's own.
 */
export class PackIndex implements PackLayout {
  readonly count: number;
  /** Entry offsets in pack order, built on first endOf(). */
  private sorted: Float64Array | undefined;

  constructor(
    private readonly buf: Buffer,
    /** Size of the pack file: the last entry ends 20 bytes (the checksum) before it. */
    private readonly packSize: number,
  ) {
    if (buf.length < IDS + 40 || buf.readUInt32BE(0) !== MAGIC || buf.readUInt32BE(4) !== 2) throw new Error('not a version 2 pack index');
    this.count = buf.readUInt32BE(FANOUT + 255 * 4);
  }

  offsetOf(oid: string): number | undefined {
    const want = Buffer.from(oid, 'hex');
    if (want.length !== 20) return undefined;
    const first = want[0];
    let lo = first === 0 ? 0 : this.buf.readUInt32BE(FANOUT + (first - 1) * 4);
    let hi = this.buf.readUInt32BE(FANOUT + first * 4);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = this.buf.compare(want, 0, 20, IDS + mid * 20, IDS + mid * 20 + 20);
      if (cmp === 0) return this.offsetAt(mid);
      // cmp compares the stored id with the wanted one.
      if (cmp < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  endOf(offset: number): number {
    if (!this.sorted) {
      this.sorted = new Float64Array(this.count);
      for (let i = 0; i < this.count; i++) this.sorted[i] = this.offsetAt(i);
      this.sorted.sort();
    }
    return nextOffset(this.sorted, offset, this.packSize - 20);
  }

  private offsetAt(i: number): number {
    const offsets = IDS + this.count * 24;
    const small = this.buf.readUInt32BE(offsets + i * 4);
    if ((small & 0x80000000) === 0) return small;
    return Number(this.buf.readBigUInt64BE(offsets + this.count * 4 + (small & 0x7fffffff) * 8));
  }
}

/** The first of the ascending `sorted` offsets above `offset`, else `last`. */
export function nextOffset(sorted: Float64Array, offset: number, last: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo] : last;
}
