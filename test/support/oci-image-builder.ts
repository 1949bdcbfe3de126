import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { busyboxBaseEntries } from './oci-busybox-layer.js';
import { tarArchive, type TarEntry } from './oci-tar.js';

/** Media types of both manifest formats, the ones a puller must send in `Accept`. */
export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

export type ImageFormat = keyof typeof MEDIA_TYPES;

/**
 * What a path of an extra layer holds. A string or Buffer is a 0644 file owned
 * by root; `whiteout` deletes the path from lower layers (`.wh.<name>`);
 * `opaque` on a directory hides everything lower layers put in it
 * (`<dir>/.wh..wh..opq`); `hardlink` names another path of the image.
 */
export type LayerFile =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number; uid?: number; gid?: number }
  | { directory: true; mode?: number; uid?: number; gid?: number }
  | { symlink: string }
  | { hardlink: string }
  | { whiteout: true }
  | { opaque: true };

export interface BuildImageOptions {
  /**
   * Layers above the busybox base layer, lowest first; each maps an absolute
   * or relative path to what it holds. Missing parent directories are added
   * with the mode an earlier layer gave them (0755 otherwise), as docker does.
   * @defaultValue []
   */
  layers?: Array<Record<string, LayerFile>>;
  /** @defaultValue unset */
  entrypoint?: string[];
  /** @defaultValue unset */
  cmd?: string[];
  /** `NAME=value` strings. The base image sets no PATH of its own, like `FROM scratch`. @defaultValue unset */
  env?: string[];
  /** @defaultValue unset */
  workingDir?: string;
  /** `uid`, `uid:gid`, `name` or `name:group`; /etc/passwd knows `root`, `app` (1000) and `nobody` (65534). @defaultValue unset (root) */
  user?: string;
  /** Ports as `8080/tcp`. @defaultValue unset */
  exposedPorts?: string[];
  /** @defaultValue 'oci' */
  format?: ImageFormat;
  /**
   * Adds a top layer holding `/pad.bin` with this many incompressible bytes,
   * for size benchmarks. The bytes come from a fixed AES-CTR stream, so equal
   * sizes give equal blobs.
   * @defaultValue 0 (no pad layer)
   */
  padBytes?: number;
  /** Written to the config; the layers still hold amd64 busybox, so another value only makes an image a runtime must skip. @defaultValue 'amd64' */
  architecture?: string;
  /** @defaultValue 'linux' */
  os?: string;
}

export interface TestLayer {
  /** Digest of the gzip blob, `sha256:…`. */
  digest: string;
  /** Digest of the uncompressed tar, as listed in the config's `rootfs.diff_ids`. */
  diffId: string;
  /** The gzip-compressed tar. */
  blob: Buffer;
  mediaType: string;
}

export interface TestImage {
  manifest: Buffer;
  manifestDigest: string;
  /** Media type of the manifest, to send as Content-Type when pushing. */
  mediaType: string;
  config: Buffer;
  configDigest: string;
  /** Lowest first; the busybox base layer is `layers[0]`. */
  layers: TestLayer[];
}

export interface TestIndex {
  index: Buffer;
  digest: string;
  mediaType: string;
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

let baseLayer: TestLayer | undefined;

/**
 * Builds a small runnable image in memory, without docker: a busybox-static
 * base layer plus the given layers and config. See BuildImageOptions.
 */
export function buildImage(options: BuildImageOptions = {}): TestImage {
  const format = options.format ?? 'oci';
  const types = MEDIA_TYPES[format];
  const base = busyboxBaseEntries();
  // The base layer is the same for every image; gzip it once per process.
  baseLayer ??= makeLayer(tarArchive(base), MEDIA_TYPES.oci.layer);
  const dirModes = new Map<string, number>();
  for (const e of base) if (e.type === 'dir') dirModes.set(e.path.replace(/\/$/, ''), e.mode ?? 0o755);

  const tars = (options.layers ?? []).map((files) => tarArchive(layerEntries(files, dirModes)));
  if (options.padBytes) tars.push(tarArchive([{ type: 'file', path: 'pad.bin', content: padContent(options.padBytes) }]));
  const layers = [baseLayer, ...tars.map((t, i) => makeLayer(t, types.layer, options.padBytes && i === tars.length - 1 ? 1 : 6))].map(
    (l) => ({ ...l, mediaType: types.layer }),
  );

  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      architecture: options.architecture ?? 'amd64',
      os: options.os ?? 'linux',
      config: {
        Entrypoint: options.entrypoint,
        Cmd: options.cmd,
        Env: options.env,
        WorkingDir: options.workingDir,
        User: options.user,
        ExposedPorts: options.exposedPorts && Object.fromEntries(options.exposedPorts.map((p) => [p, {}])),
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'baton test kit' })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, digest: sha256Digest(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    }),
  );
  return {
    manifest,
    manifestDigest: sha256Digest(manifest),
    mediaType: types.manifest,
    config,
    configDigest: sha256Digest(config),
    layers,
  };
}

/**
 * An OCI image index or docker manifest list over already built images, in
 * the given order; put a non-amd64 entry first to check a puller picks by platform.
 */
export function buildIndex(images: Array<{ image: TestImage; platform: { os: string; architecture: string } }>, format: ImageFormat = 'oci'): TestIndex {
  const mediaType = MEDIA_TYPES[format].index;
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: images.map(({ image, platform }) => ({
        mediaType: image.mediaType,
        digest: image.manifestDigest,
        size: image.manifest.length,
        platform,
      })),
    }),
  );
  return { index, digest: sha256Digest(index), mediaType };
}

function makeLayer(tar: Buffer, mediaType: string, level = 6): TestLayer {
  const blob = gzipSync(tar, { level });
  return { digest: sha256Digest(blob), diffId: sha256Digest(tar), blob, mediaType };
}

function layerEntries(files: Record<string, LayerFile>, dirModes: Map<string, number>): TarEntry[] {
  const entries: TarEntry[] = [];
  const written = new Set<string>();
  const addParents = (path: string) => {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (written.has(dir)) continue;
      written.add(dir);
      entries.push({ type: 'dir', path: dir, mode: dirModes.get(dir) ?? 0o755 });
    }
  };
  for (const [rawPath, file] of Object.entries(files)) {
    const path = rawPath.replace(/^\/+/, '').replace(/\/+$/, '');
    const name = path.split('/').pop() ?? path;
    const parent = path.slice(0, path.length - name.length);
    if (typeof file === 'string' || Buffer.isBuffer(file)) {
      addParents(path);
      entries.push({ type: 'file', path, content: Buffer.from(file) });
    } else if ('content' in file) {
      addParents(path);
      entries.push({ type: 'file', path, content: Buffer.from(file.content), mode: file.mode, uid: file.uid, gid: file.gid });
    } else if ('directory' in file) {
      addParents(path);
      written.add(path);
      dirModes.set(path, file.mode ?? 0o755);
      entries.push({ type: 'dir', path, mode: file.mode, uid: file.uid, gid: file.gid });
    } else if ('symlink' in file) {
      addParents(path);
      entries.push({ type: 'symlink', path, target: file.symlink });
    } else if ('hardlink' in file) {
      addParents(path);
      entries.push({ type: 'hardlink', path, target: file.hardlink.replace(/^\/+/, '') });
    } else if ('whiteout' in file) {
      addParents(path);
      entries.push({ type: 'file', path: `${parent}.wh.${name}`, content: Buffer.alloc(0) });
    } else {
      addParents(`${path}/.wh..wh..opq`);
      entries.push({ type: 'file', path: `${path}/.wh..wh..opq`, content: Buffer.alloc(0) });
    }
  }
  return entries;
}

function padContent(size: number): Buffer {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}
