import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { applyLayer } from './apply-layer.js';
import { digestHex, type BlobStore } from './blob-store.js';

/**
 * Makes `rootfs/<manifest-hex>/`: every layer applied in order into a temp
 * directory renamed into place at the end, so a crash never leaves a half
 * rootfs under the final name. Returns its path.
 */
export async function unpackRootfs(dir: string, blobs: BlobStore, manifestDigest: string, layers: string[]): Promise<string> {
  const target = join(dir, 'rootfs', digestHex(manifestDigest));
  if (existsSync(target)) return target;
  const tmp = join(dir, 'rootfs', `.tmp-${digestHex(manifestDigest).slice(0, 12)}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { recursive: true, mode: 0o755 });
  try {
    for (const layer of layers) {
      try {
        await applyLayer(tmp, createReadStream(blobs.path(layer)));
      } catch (err) {
        throw new Error(`failed to extract layer ${layer}: ${(err as Error).message}`);
      }
    }
    if (existsSync(target)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, target);
    return target;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
