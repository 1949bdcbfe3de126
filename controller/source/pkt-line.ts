/** One pkt-line (gitprotocol-common): data, or one of the special packets 0000, 0001, 0002. */
export type PktLine = { kind: 'flush' | 'delim' | 'response-end' } | { kind: 'data'; payload: Buffer };

const SPECIAL = ['flush', 'delim', 'response-end'] as const;

/** `line` framed as a pkt-line (four hex digits of length, then the bytes). */
export function pktLine(line: string): string {
  return (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line;
}

/**
 * Splits a response body into pkt-lines as it arrives, holding at most one
 * partial line (≤ 64 KiB) between chunks. A payload is valid only until the
 * next one is asked for.
 */
export async function* readPktLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<PktLine> {
  let pending = Buffer.alloc(0);
  for await (const chunk of body) {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (buf.length - i >= 4) {
      const head = buf.toString('latin1', i, i + 4);
      if (!/^[0-9a-f]{4}$/.test(head)) throw new Error(`not a pkt-line: ${JSON.stringify(head)}`);
      const length = Number.parseInt(head, 16);
      if (length < 3) {
        i += 4;
        yield { kind: SPECIAL[length] };
        continue;
      }
      if (length === 3) throw new Error('invalid pkt-line length 3');
      if (buf.length - i < length) break;
      const payload = buf.subarray(i + 4, i + length);
      i += length;
      yield { kind: 'data', payload };
    }
    // Copied, so the chunk it came from can be dropped.
    pending = Buffer.from(buf.subarray(i));
    buf = pending;
  }
  if (pending.length > 0) throw new Error('the answer ends inside a pkt-line');
}
