import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ImageConfig } from './image-types.js';

/** One line of `images.json`: a name and what it resolved to. */
export interface ImageRecord {
  name: string;
  /** Manifest digest chosen for linux/amd64. */
  digest: string;
  imageID: string;
  configDigest: string;
  config: ImageConfig;
  /** Compressed bytes of the layers. */
  size: number;
  layers: { digest: string; size: number }[];
  /** Epoch ms of the last ensure() or pull that used it; GC removes the oldest first. */
  lastUsed: number;
}

interface RecordsFile {
  images: Record<string, ImageRecord>;
}

/**
 * `images.json` and `leases/`, read from disk on every call so the CLI and the
 * runtime (two processes) see each other's changes; writes are atomic renames.
 */
export class ImageRecords {
  private readonly file: string;
  private readonly leaseDir: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'images.json');
    this.leaseDir = join(dir, 'leases');
    mkdirSync(this.leaseDir, { recursive: true, mode: 0o700 });
  }

  all(): Record<string, ImageRecord> {
    if (!existsSync(this.file)) return {};
    return (JSON.parse(readFileSync(this.file, 'utf8')) as RecordsFile).images;
  }

  get(name: string): ImageRecord | undefined {
    return this.all()[name];
  }

  /** Applies `change` to the current map and writes it back in one synchronous step. */
  update(change: (images: Record<string, ImageRecord>) => void): void {
    const images = this.all();
    change(images);
    const tmp = join(this.dir, `.images.json.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, `${JSON.stringify({ images } satisfies RecordsFile, null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  lease(id: string, digest: string): void {
    const tmp = join(this.leaseDir, `.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, digest, { mode: 0o600 });
    renameSync(tmp, join(this.leaseDir, encodeURIComponent(id)));
  }

  release(id: string): void {
    rmSync(join(this.leaseDir, encodeURIComponent(id)), { force: true });
  }

  /** digest → ids of the containers using it. */
  leases(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const name of readdirSync(this.leaseDir)) {
      if (name.startsWith('.')) continue;
      let digest: string;
      try {
        digest = readFileSync(join(this.leaseDir, name), 'utf8').trim();
      } catch {
        continue;
      }
      out.set(digest, [...(out.get(digest) ?? []), decodeURIComponent(name)]);
    }
    return out;
  }
}
