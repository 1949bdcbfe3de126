import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import type { BlobStore } from './blob-store.js';
import { ImageArchiveError } from './image-archive-error.js';
import { isIndex, pickPlatform, type ImageIndexDoc } from './image-manifest.js';
import { parseImageReference } from './image-reference.js';

export interface ArchivedImage {
  /** The name as the archive gives it (normalized later). */
  name: string;
  manifestDigest: string;
}

interface Staged {
  file: string;
  digest: string;
  size: number;
}

/** Streams every regular file of the tar to a temp file, hashing as it goes; nothing is held in memory. */
async function stageEntries(input: Readable, blobs: BlobStore): Promise<Map<string, Staged>> {
  const staged = new Map<string, Staged>();
  const writes: Promise<void>[] = [];
  let bad: string | undefined;
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        entry.resume();
        return;
      }
      const path = posix.normalize(entry.path).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
      const file = blobs.tempPath();
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      writes.push(
        pipeline(entry, meter, createWriteStream(file)).then(() => {
          const previous = staged.get(path);
          if (previous) rmSync(previous.file, { force: true });
          staged.set(path, { file, digest: `sha256:${hash.digest('hex')}`, size });
        }),
      );
    },
  });
  parser.on('warn', (code: string, message: string) => {
    if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ENTRY_INVALID') bad ??= message;
  });
  try {
    await pipeline(input, parser);
    await Promise.all(writes);
  } catch (err) {
    for (const s of staged.values()) rmSync(s.file, { force: true });
    throw new ImageArchiveError(`not an image archive: ${(err as Error).message}`);
  }
  if (bad && staged.size === 0) throw new ImageArchiveError(`not an image archive: ${bad}`);
  return staged;
}

function readStagedJson<T>(staged: Map<string, Staged>, path: string): T {
  const s = staged.get(path);
  if (!s) throw new ImageArchiveError(`the archive names ${path} but does not hold it`);
  try {
    return JSON.parse(readFileSync(s.file, 'utf8')) as T;
  } catch {
    throw new ImageArchiveError(`${path} in the archive is not JSON`);
  }
}

function adopt(staged: Map<string, Staged>, path: string, blobs: BlobStore): Staged {
  const s = staged.get(path);
  if (!s) throw new ImageArchiveError(`the archive names ${path} but does not hold it`);
  if (!blobs.has(s.digest)) blobs.adopt(s.digest, s.file);
  return s;
}

/** `docker save`: manifest.json lists RepoTags, a config file and layer files; a manifest is written for each image. */
function fromDockerSave(staged: Map<string, Staged>, blobs: BlobStore): ArchivedImage[] {
  const list = readStagedJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(staged, 'manifest.json');
  const out: ArchivedImage[] = [];
  for (const entry of list) {
    const config = adopt(staged, entry.Config, blobs);
    const layers = entry.Layers.map((p) => adopt(staged, p, blobs));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', digest: l.digest, size: l.size })),
      }),
    );
    const manifestDigest = blobs.putBuffer(manifest);
    for (const name of entry.RepoTags ?? []) out.push({ name, manifestDigest });
  }
  return out;
}

function nameOf(annotations: Record<string, string> | undefined): string | undefined {
  const full = annotations?.['io.containerd.image.name'];
  if (full) return full;
  const ref = annotations?.['org.opencontainers.image.ref.name'];
  // A bare tag (`v1`) names no repository; only a full reference can name an image.
  return ref && /[/:]/.test(ref) ? ref : undefined;
}

/** OCI image layout: index.json points at manifests (or nested indexes) among `blobs/sha256/`. */
function fromOciLayout(staged: Map<string, Staged>, blobs: BlobStore): ArchivedImage[] {
  for (const [path, s] of staged) {
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
    if (!m) continue;
    if (s.digest !== `sha256:${m[1]}`) throw new ImageArchiveError(`${path} in the archive does not hash to its name (got ${s.digest})`);
    adopt(staged, path, blobs);
  }
  const index = readStagedJson<ImageIndexDoc>(staged, 'index.json');
  const out: ArchivedImage[] = [];
  for (const desc of index.manifests ?? []) {
    const name = nameOf(desc.annotations);
    if (!name) continue;
    let digest = desc.digest;
    if (!blobs.has(digest)) throw new ImageArchiveError(`index.json names ${digest} but the archive does not hold it`);
    const doc = blobs.readJson<unknown>(digest);
    if (isIndex(doc, desc.mediaType)) {
      const entry = pickPlatform(doc);
      if (!entry) throw new ImageArchiveError(`${name}: the archive holds no linux/amd64 image`);
      digest = entry.digest;
    }
    out.push({ name, manifestDigest: digest });
  }
  return out;
}

/**
 * Reads an OCI image-layout tar or a `docker save` tar (gzip or not) from a
 * stream into the blob store, as `ctr images import` does, and returns the
 * images it names. Blob contents are verified against their digests.
 */
export async function importImageArchive(input: Readable, blobs: BlobStore): Promise<ArchivedImage[]> {
  const staged = await stageEntries(input, blobs);
  try {
    let images: ArchivedImage[];
    if (staged.has('manifest.json')) images = fromDockerSave(staged, blobs);
    else if (staged.has('index.json')) images = fromOciLayout(staged, blobs);
    else throw new ImageArchiveError('not an image archive: neither index.json (OCI layout) nor manifest.json (docker save) found');
    if (images.length === 0) throw new ImageArchiveError('the archive names no image (no RepoTags, no io.containerd.image.name or org.opencontainers.image.ref.name annotation)');
    for (const image of images) parseImageReference(image.name);
    return images;
  } finally {
    for (const s of staged.values()) rmSync(s.file, { force: true });
  }
}
