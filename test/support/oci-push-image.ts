import type { TestImage, TestIndex } from './oci-image-builder.js';
import { registryRequest, type RegistryEndpoint, type RegistryResponse } from './oci-registry-request.js';

export interface PushImageOptions {
  /** Basic auth for a registry started with `auth`. @defaultValue anonymous */
  auth?: { username: string; password: string };
  /** Push this index (or manifest list) at the tag instead of the image's manifest. @defaultValue unset */
  index?: TestIndex;
  /** The images the index lists; each is pushed by digest before the index. @defaultValue [image] */
  indexImages?: TestImage[];
}

/**
 * Pushes an image the way `docker push` does over the distribution API:
 * blobs that the registry lacks (monolithic upload), then the manifest at
 * the tag. `repoAndTag` is `team/web:v1`, `team/web` (tag latest) or
 * `team/web@sha256:…` (by digest only).
 */
export async function pushImage(registry: RegistryEndpoint, repoAndTag: string, image: TestImage, options: PushImageOptions = {}): Promise<void> {
  const { repo, reference } = splitRepoAndTag(repoAndTag);
  const images = options.index ? [image, ...(options.indexImages ?? [])] : [image];
  const pushed = new Set<string>();
  for (const img of images) {
    if (pushed.has(img.manifestDigest)) continue;
    pushed.add(img.manifestDigest);
    await pushBlob(registry, repo, img.config, img.configDigest, options);
    for (const layer of img.layers) await pushBlob(registry, repo, layer.blob, layer.digest, options);
    if (options.index) await putManifest(registry, repo, img.manifestDigest, img.manifest, img.mediaType, options);
  }
  if (options.index) await putManifest(registry, repo, reference, options.index.index, options.index.mediaType, options);
  else await putManifest(registry, repo, reference, image.manifest, image.mediaType, options);
}

export function splitRepoAndTag(repoAndTag: string): { repo: string; reference: string } {
  const at = repoAndTag.indexOf('@');
  if (at >= 0) return { repo: repoAndTag.slice(0, at), reference: repoAndTag.slice(at + 1) };
  const colon = repoAndTag.lastIndexOf(':');
  if (colon > repoAndTag.lastIndexOf('/')) return { repo: repoAndTag.slice(0, colon), reference: repoAndTag.slice(colon + 1) };
  return { repo: repoAndTag, reference: 'latest' };
}

async function pushBlob(registry: RegistryEndpoint, repo: string, blob: Buffer, digest: string, options: PushImageOptions): Promise<void> {
  const auth = options.auth;
  const head = await registryRequest(registry, 'HEAD', `/v2/${repo}/blobs/${digest}`, { auth });
  if (head.status === 200) return;
  const start = await registryRequest(registry, 'POST', `/v2/${repo}/blobs/uploads/`, { auth });
  expectStatus(start, 202, `POST /v2/${repo}/blobs/uploads/`);
  // Location is absolute or relative and already carries a `_state` query.
  const location = new URL(String(start.headers.location), registry.url);
  location.searchParams.set('digest', digest);
  const put = await registryRequest(registry, 'PUT', location.href, {
    auth,
    body: blob,
    headers: { 'content-type': 'application/octet-stream' },
  });
  expectStatus(put, 201, `PUT blob ${digest} to ${repo}`);
}

async function putManifest(
  registry: RegistryEndpoint,
  repo: string,
  reference: string,
  body: Buffer,
  mediaType: string,
  options: PushImageOptions,
): Promise<void> {
  const res = await registryRequest(registry, 'PUT', `/v2/${repo}/manifests/${reference}`, {
    auth: options.auth,
    body,
    headers: { 'content-type': mediaType },
  });
  expectStatus(res, 201, `PUT /v2/${repo}/manifests/${reference}`);
}

function expectStatus(res: RegistryResponse, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: registry answered ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
}
