import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MEDIA_TYPES, type TestImage } from './oci-image-builder.js';
import { tarArchive, type TarEntry } from './oci-tar.js';

/**
 * Writes an OCI image-layout tar, as `skopeo copy … oci-archive:` and
 * `ctr export` make: `oci-layout`, `index.json` and `blobs/sha256/…`.
 * `ref` is the image name as given (e.g. `docker.io/team/web:v1`); its tag
 * becomes `org.opencontainers.image.ref.name`, the whole of it
 * `io.containerd.image.name`.
 */
export async function writeOciArchive(image: TestImage, ref: string, file: string): Promise<void> {
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.oci.index,
    manifests: [
      {
        mediaType: image.mediaType,
        digest: image.manifestDigest,
        size: image.manifest.length,
        annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': splitRef(ref).tag },
      },
    ],
  };
  const blobs = new Map<string, Buffer>([
    [image.manifestDigest, image.manifest],
    [image.configDigest, image.config],
    ...image.layers.map((l): [string, Buffer] => [l.digest, l.blob]),
  ]);
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', content: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', path: 'index.json', content: Buffer.from(JSON.stringify(index)) },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    ...[...blobs].map(([digest, content]): TarEntry => ({ type: 'file', path: `blobs/sha256/${hex(digest)}`, content })),
  ];
  await writeFile(file, tarArchive(entries));
}

/**
 * Writes a classic `docker save` tar: `manifest.json`, `repositories`, the
 * config as `<hex>.json` and each layer UNCOMPRESSED as `<id>/layer.tar`
 * (with the legacy `VERSION` and `json` beside it). `ref` goes into
 * `RepoTags` as given, e.g. `team/web:v1`.
 */
export async function writeDockerArchive(image: TestImage, ref: string, file: string): Promise<void> {
  const { repo, tag } = splitRef(ref);
  const configName = `${hex(image.configDigest)}.json`;
  const entries: TarEntry[] = [{ type: 'file', path: configName, content: image.config }];
  const layerPaths: string[] = [];
  let parent: string | undefined;
  for (const layer of image.layers) {
    // Docker's legacy v1 ids chain each layer to its parent; any stable chain will do for loaders.
    const id: string = createHash('sha256').update(`${parent ?? ''}\n${layer.diffId}`).digest('hex');
    const v1 = { id, parent, created: '2024-01-01T00:00:00Z', container_config: {}, os: 'linux' };
    entries.push(
      { type: 'dir', path: id },
      { type: 'file', path: `${id}/VERSION`, content: Buffer.from('1.0') },
      { type: 'file', path: `${id}/json`, content: Buffer.from(JSON.stringify(v1)) },
      { type: 'file', path: `${id}/layer.tar`, content: gunzipSync(layer.blob) },
    );
    layerPaths.push(`${id}/layer.tar`);
    parent = id;
  }
  const manifest = [{ Config: configName, RepoTags: [ref], Layers: layerPaths }];
  entries.push(
    { type: 'file', path: 'manifest.json', content: Buffer.from(JSON.stringify(manifest)) },
    { type: 'file', path: 'repositories', content: Buffer.from(JSON.stringify({ [repo]: { [tag]: parent } })) },
  );
  await writeFile(file, tarArchive(entries));
}

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

function splitRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}
