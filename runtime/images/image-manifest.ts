import type { ImageConfig } from './image-types.js';

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifestDoc {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndexDoc {
  mediaType?: string;
  manifests: Descriptor[];
}

export const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export function isIndex(doc: unknown, mediaType?: string): doc is ImageIndexDoc {
  return INDEX_TYPES.has(mediaType ?? '') || Array.isArray((doc as ImageIndexDoc | null)?.manifests);
}

/** The linux/amd64 entry of an index (variant ignored: amd64 has none that matter), or undefined. */
export function pickPlatform(index: ImageIndexDoc): Descriptor | undefined {
  return index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
}

/** Throws unless `doc` has the shape of an image manifest. */
export function assertManifest(doc: unknown): asserts doc is ImageManifestDoc {
  const m = doc as ImageManifestDoc | null;
  const ok = (d: Descriptor | undefined) => !!d && typeof d.digest === 'string' && typeof d.size === 'number';
  if (!m || !ok(m.config) || !Array.isArray(m.layers) || !m.layers.every(ok)) throw new Error('not an image manifest (config and layers expected)');
}

/** Reads the parts of an image config that decide how a container runs. */
export function imageConfigOf(doc: unknown): ImageConfig {
  const c = ((doc as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return { entrypoint: strings(c.Entrypoint), cmd: strings(c.Cmd), env: strings(c.Env), workingDir: str(c.WorkingDir), user: str(c.User) };
}
