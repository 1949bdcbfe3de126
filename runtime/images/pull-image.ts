import type { BlobStore } from './blob-store.js';
import type { ImageReference } from './image-reference.js';
import { ImagePullError } from './image-types.js';
import { assertManifest, isIndex, pickPlatform, type Descriptor } from './image-manifest.js';
import type { FetchedManifest, RegistryClient } from './registry-client.js';
import type { RegistryEndpoint } from './registry-endpoints.js';
import { RegistryError } from './registry-error.js';

/** Where a reference resolved: the endpoint that answered and the linux/amd64 manifest digest. */
export interface ResolvedImage {
  client: RegistryClient;
  repository: string;
  manifestDigest: string;
  /** The platform manifest when the reference named one directly (no index in between). */
  manifest?: FetchedManifest;
}

function pullError(ref: ImageReference, what: string): ImagePullError {
  return new ImagePullError('ErrImagePull', `failed to pull and unpack image "${ref.name}": ${what}`);
}

/** Tries each endpoint in order; when all fail the message names each with what it said. */
export async function resolveImage(ref: ImageReference, endpoints: RegistryEndpoint[], clientFor: (e: RegistryEndpoint) => RegistryClient): Promise<ResolvedImage> {
  const failures: string[] = [];
  for (const endpoint of endpoints) {
    const client = clientFor(endpoint);
    try {
      const top = await client.getManifest(endpoint.repository, ref.digest ?? ref.tag ?? 'latest');
      const doc = JSON.parse(top.body.toString('utf8')) as unknown;
      if (isIndex(doc, top.mediaType)) {
        const entry = pickPlatform(doc);
        if (!entry) throw new RegistryError(top.url, 'no match for platform in manifest: not found');
        return { client, repository: endpoint.repository, manifestDigest: entry.digest };
      }
      return { client, repository: endpoint.repository, manifestDigest: top.digest, manifest: top };
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      failures.push(err.message);
    }
  }
  if (failures.length === 0) throw pullError(ref, `failed to resolve reference: no endpoint configured for ${ref.registry} (the default endpoint is disabled)`);
  return Promise.reject(pullError(ref, `failed to resolve reference: ${failures.join('; ')}`));
}

export interface FetchOptions {
  blobs: BlobStore;
  /** Shares one download per digest between concurrent pulls of different names. */
  inflight: Map<string, Promise<void>>;
  onBytes?: (done: number, total: number) => void;
}

/** Brings the manifest, config and layers of `resolved` into the blob store; skips blobs already there. */
export async function fetchImage(ref: ImageReference, resolved: ResolvedImage, options: FetchOptions): Promise<void> {
  const { blobs, inflight } = options;
  const { client, repository, manifestDigest } = resolved;
  try {
    if (!blobs.has(manifestDigest)) {
      const manifest = resolved.manifest ?? (await client.getManifest(repository, manifestDigest));
      blobs.putBuffer(manifest.body, manifestDigest);
    }
  } catch (err) {
    throw pullError(ref, `failed to resolve reference: ${(err as Error).message}`);
  }
  const doc = blobs.readJson<unknown>(manifestDigest);
  try {
    assertManifest(doc);
  } catch (err) {
    throw pullError(ref, `${manifestDigest}: ${(err as Error).message}`);
  }
  const missing = [doc.config, ...doc.layers].filter((d, i, all) => !blobs.has(d.digest) && all.findIndex((o) => o.digest === d.digest) === i);
  const total = missing.reduce((n, d) => n + d.size, 0);
  let done = 0;
  const fetchOne = async (d: Descriptor) => {
    let url = `${client.endpoint.base}/${repository}/blobs/${d.digest}`;
    try {
      const blob = await client.getBlob(repository, d.digest);
      url = blob.url;
      await blobs.put(d.digest, blob.stream, d.size, (n) => {
        done += n;
        options.onBytes?.(done, total);
      });
    } catch (err) {
      const message = err instanceof RegistryError ? err.message : `${url}: ${(err as Error).message}`;
      throw pullError(ref, `failed to copy: ${message}`);
    }
  };
  // Three at a time, as containerd's default max_concurrent_downloads.
  const queue = [...missing];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      let running = inflight.get(d.digest);
      if (!running) {
        running = fetchOne(d).finally(() => inflight.delete(d.digest));
        inflight.set(d.digest, running);
      }
      await running;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}
