/** SPDY/3.1 framing (draft 3.1, section 2.2): what a port-forward server reads and writes. */
export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;

export type SpdyFrame =
  | { control: false; streamId: number; flags: number; data: Buffer }
  | { control: true; type: number; flags: number; payload: Buffer };

const HEADER = 8;

/** Cuts a byte stream (tunneled messages need not align with frames) into frames. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.pending.length >= HEADER) {
      const length = this.pending.readUIntBE(5, 3);
      if (this.pending.length < HEADER + length) break;
      const body = this.pending.subarray(HEADER, HEADER + length);
      const flags = this.pending[4];
      if (this.pending[0] & 0x80) frames.push({ control: true, type: this.pending.readUInt16BE(2), flags, payload: body });
      else frames.push({ control: false, streamId: this.pending.readUInt32BE(0) & 0x7fffffff, flags, data: body });
      this.pending = this.pending.subarray(HEADER + length);
    }
    return frames;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** The 31-bit stream id that opens SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS and WINDOW_UPDATE payloads. */
export function streamIdOf(payload: Buffer): number {
  return payload.readUInt32BE(0) & 0x7fffffff;
}
