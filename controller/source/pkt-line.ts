/**
 * One pkt-line (gitprotocol-common), or a piece of one: a data line that
 * arrives split across chunks is handed over as pieces (`first` on the first,
 * `last` on the last), so no line is ever copied to be joined.
 */
export type PktLine = { kind: 'flush' | 'delim' | 'response-end' } | { kind: 'data'; payload: Buffer; first: boolean; last: boolean };

const SPECIAL = ['flush', 'delim', 'response-end'] as const;

/** `line` framed as a pkt-line (four hex digits of length, then the bytes). */
export function pktLine(line: string): string {
  return (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line;
}

/**
 * Splits a response body into pkt-lines as it arrives. Payloads are views of
 * the chunks received (valid until the next one is asked for): a pack
 * streamed through here costs no copy beyond the socket's own buffers.
 */
export async function* readPktLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<PktLine> {
  let header = '';
  let remaining = 0;
  let first = true;
  for await (const c of body) {
    const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    let i = 0;
    while (i < chunk.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - i);
        remaining -= n;
        yield { kind: 'data', payload: chunk.subarray(i, i + n), first, last: remaining === 0 };
        first = false;
        i += n;
        continue;
      }
      const take = Math.min(4 - header.length, chunk.length - i);
      header += chunk.toString('latin1', i, i + take);
      i += take;
      if (header.length < 4) break;
      if (!/^[0-9a-f]{4}$/.test(header)) throw new Error(`not a pkt-line: ${JSON.stringify(header)}`);
      const length = Number.parseInt(header, 16);
      header = '';
      if (length < 3) yield { kind: SPECIAL[length] };
      else if (length === 3) throw new Error('invalid pkt-line length 3');
      else if (length === 4) yield { kind: 'data', payload: Buffer.alloc(0), first: true, last: true };
      else {
        remaining = length - 4;
        first = true;
      }
    }
  }
  if (header.length > 0 || remaining > 0) throw new Error('the answer ends inside a pkt-line');
}
