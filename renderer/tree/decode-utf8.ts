import { RenderError } from '../errors/render-error.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * `buf` as text, or undefined with an error at the first byte that is not
 * UTF-8: a file in another encoding must fail the render, not deploy with
 * U+FFFD where its bytes were. A leading byte-order mark is dropped.
 */
export function decodeUtf8(buf: Buffer, file: string, errors: RenderError[]): string | undefined {
  try {
    return strict.decode(buf);
  } catch {
    errors.push(invalidUtf8(buf, file));
    return undefined;
  }
}

function invalidUtf8(buf: Buffer, file: string): RenderError {
  const at = firstInvalidByte(buf);
  const lineStart = buf.lastIndexOf(0x0a, at - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (buf[i] === 0x0a) line++;
  const col = Buffer.from(buf.subarray(lineStart, at)).toString('utf8').length + 1;
  const byte = `0x${buf[at].toString(16).padStart(2, '0')}`;
  return RenderError.at('INVALID_UTF8', file, line, col, `not valid UTF-8 (byte ${byte}); baton reads manifests, values and templates as UTF-8: save the file as UTF-8`, { offset: at });
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (as WHATWG's decoder judges). */
function firstInvalidByte(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return Math.max(0, buf.length - 1);
}
