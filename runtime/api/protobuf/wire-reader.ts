import { badRequest } from '../../errors/status-error.js';

/** One field of a protobuf message: varints as bigint, length-delimited as bytes. */
export interface WireField {
  number: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw badRequest('protobuf body ends inside a varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
  throw badRequest('protobuf varint is longer than 10 bytes');
}

/** Splits a message into its fields (protobuf wire format: varint, 64-bit, length-delimited, 32-bit). */
export function readFields(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [value, after] = readVarint(buf, pos);
      pos = after;
      fields.push({ number, varint: value });
    } else if (wireType === 2) {
      const [length, after] = readVarint(buf, pos);
      const end = after + Number(length);
      if (end > buf.length) throw badRequest('protobuf length-delimited field runs past the end of the body');
      fields.push({ number, bytes: buf.subarray(after, end) });
      pos = end;
    } else if (wireType === 1) {
      pos += 8;
      fields.push({ number });
    } else if (wireType === 5) {
      pos += 4;
      fields.push({ number });
    } else {
      throw badRequest(`unsupported protobuf wire type ${wireType}`);
    }
  }
  return fields;
}

export function asInt64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
