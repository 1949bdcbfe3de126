import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.js';

/**
 * SPDY/3 header blocks: name/value pairs behind 32-bit counts and lengths,
 * compressed with one zlib stream per direction for the whole connection, so
 * every block must pass through in order, each ended by a sync flush.
 */
function through(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const collect = (d: Buffer) => out.push(d);
    const fail = (err: Error) => {
      z.off('data', collect);
      reject(err);
    };
    z.on('data', collect);
    z.once('error', fail);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', collect);
      z.off('error', fail);
      resolve(Buffer.concat(out));
    });
  });
}

export function decodeHeaders(raw: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let at = 4;
  const count = raw.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const nameLength = raw.readUInt32BE(at);
    const name = raw.subarray(at + 4, at + 4 + nameLength).toString('latin1');
    at += 4 + nameLength;
    const valueLength = raw.readUInt32BE(at);
    headers.set(name.toLowerCase(), raw.subarray(at + 4, at + 4 + valueLength).toString('latin1'));
    at += 4 + valueLength;
  }
  return headers;
}

export function encodeHeaders(headers: Record<string, string>): Buffer {
  const entries = Object.entries(headers);
  const parts = [u32(entries.length)];
  for (const [name, value] of entries) parts.push(u32(name.length), Buffer.from(name.toLowerCase(), 'latin1'), u32(Buffer.byteLength(value, 'latin1')), Buffer.from(value, 'latin1'));
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Both directions' compression state of one SPDY connection. */
export class HeaderCodec {
  private readonly inflater = createInflate({ dictionary: SPDY_DICTIONARY });
  private readonly deflater = createDeflate({ dictionary: SPDY_DICTIONARY });

  async read(block: Buffer): Promise<Map<string, string>> {
    return decodeHeaders(await through(this.inflater, block));
  }

  write(headers: Record<string, string>): Promise<Buffer> {
    return through(this.deflater, encodeHeaders(headers));
  }

  close(): void {
    this.inflater.destroy();
    this.deflater.destroy();
  }
}
