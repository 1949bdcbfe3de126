/**
 * Applies a Git delta (gitformat-pack "Deltified representation") to its base:
 * two little-endian base-128 sizes (base, result), then instructions that
 * copy a range of the base (high bit set) or insert the next 1–127 bytes.
 */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let i = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= delta.length) throw new Error('delta header cut short');
      const b = delta[i++];
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  };
  const baseSize = varint();
  if (baseSize !== base.length) throw new Error(`delta expects a base of ${baseSize} bytes, the base has ${base.length}`);
  const out = Buffer.allocUnsafe(varint());
  let at = 0;
  while (i < delta.length) {
    const op = delta[i++];
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += delta[i++] * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) size += delta[i++] << (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || at + size > out.length) throw new Error('delta copies outside its base or result');
      base.copy(out, at, offset, offset + size);
      at += size;
    } else if (op !== 0) {
      if (i + op > delta.length || at + op > out.length) throw new Error('delta inserts past its end');
      delta.copy(out, at, i, i + op);
      at += op;
      i += op;
    } else {
      throw new Error('delta has the reserved instruction 0');
    }
  }
  if (at !== out.length) throw new Error(`delta produced ${at} of the ${out.length} bytes it announced`);
  return out;
}
