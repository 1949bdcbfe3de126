import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Uint8Array): LayerCompression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

function zstdStream(): Transform {
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        decoder.push(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        decoder.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const decoder = new Decompress((data) => out.push(Buffer.from(data)));
  return out;
}

/**
 * The layer's tar stream, whatever its compression. Sniffed from the first
 * bytes rather than trusted from the media type: docker archives carry
 * uncompressed `layer.tar` files and some registries mislabel layers.
 */
export async function decompressLayer(source: Readable): Promise<Readable> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  async function* rest() {
    if (head.length) yield head;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const raw = Readable.from(rest(), { objectMode: false });
  const kind = sniffCompression(head);
  if (kind === 'none') return raw;
  const decoder = kind === 'gzip' ? createGunzip() : zstdStream();
  raw.on('error', (err) => decoder.destroy(err));
  return raw.pipe(decoder);
}
