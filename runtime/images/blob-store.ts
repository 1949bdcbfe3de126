import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const digestRe = /^sha256:([a-f0-9]{64})$/;

export function digestHex(digest: string): string {
  const m = digestRe.exec(digest);
  if (!m) throw new Error(`unsupported digest ${JSON.stringify(digest)}: only sha256 is supported`);
  return m[1];
}

/**
 * Content-addressed blobs under `blobs/sha256/<hex>`. Nothing lands under its
 * name before its bytes hashed to it: writes go to `blobs/tmp/` and are renamed.
 */
export class BlobStore {
  readonly root: string;
  private readonly tmp: string;

  constructor(dir: string) {
    this.root = join(dir, 'blobs', 'sha256');
    this.tmp = join(dir, 'blobs', 'tmp');
    // Owner-only, like everything in the state dir: a private registry's layers are not for other users.
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
  }

  path(digest: string): string {
    return join(this.root, digestHex(digest));
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  readJson<T>(digest: string): T {
    return JSON.parse(readFileSync(this.path(digest), 'utf8')) as T;
  }

  /** Stores a small document already in memory (a manifest or config) and returns its digest. */
  putBuffer(body: Buffer, expected?: string): string {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (expected && expected !== digest) throw new Error(`digest mismatch: expected ${expected}, got ${digest}`);
    if (!this.has(digest)) {
      const tmp = this.tempPath();
      writeFileSync(tmp, body, { mode: 0o600 });
      renameSync(tmp, this.path(digest));
    }
    return digest;
  }

  /**
   * Streams `source` to disk while hashing it; renamed into place only when
   * it hashes to `digest` and (when given) has `size` bytes.
   */
  async put(digest: string, source: Readable, size?: number, onBytes?: (n: number) => void): Promise<void> {
    const target = this.path(digest);
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let seen = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (size !== undefined && seen > size) return cb(new Error(`blob ${digest} is larger than the ${size} bytes its descriptor says`));
        hash.update(chunk);
        onBytes?.(chunk.length);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o600 }));
      if (size !== undefined && seen !== size) throw new Error(`blob ${digest} has ${seen} bytes, its descriptor says ${size}`);
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) throw new Error(`blob digest mismatch: expected ${digest}, got ${got}`);
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Moves a file already hashed by the caller into the store. */
  adopt(digest: string, file: string): void {
    if (this.has(digest)) rmSync(file, { force: true });
    else renameSync(file, this.path(digest));
  }

  list(): string[] {
    return readdirSync(this.root).map((hex) => `sha256:${hex}`);
  }

  remove(digest: string): number {
    const p = this.path(digest);
    if (!existsSync(p)) return 0;
    const n = statSync(p).size;
    rmSync(p, { force: true });
    return n;
  }

  tempPath(): string {
    return join(this.tmp, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  }
}
