import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestImage } from '../support/oci-registry.js';

export interface FakeRegistry {
  url: string;
  host: string;
  /** `METHOD path` of every request, in order. */
  requests: string[];
  /** Replaces what the tag serves. */
  serve(repo: string, tag: string, image: TestImage): void;
  stop(): Promise<void>;
}

/**
 * A tiny distribution API on loopback that issues a Bearer challenge, hands
 * out tokens from its own realm (checking Basic credentials when `user` is
 * set) and redirects blob GETs to a storage path, as Docker Hub does.
 */
export async function startFakeRegistry(user?: { username: string; password: string }): Promise<FakeRegistry> {
  const requests: string[] = [];
  const manifests = new Map<string, { body: Buffer; type: string }>();
  const blobs = new Map<string, Buffer>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      const expected = user ? `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` : undefined;
      if (expected && req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok:${url.searchParams.get('scope')}`, expires_in: 300 }));
      return;
    }
    if (url.pathname.startsWith('/storage/')) {
      const blob = blobs.get(url.pathname.slice('/storage/'.length));
      res.writeHead(blob ? 200 : 404).end(blob);
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const [, repo, kind, ref] = m;
    const scope = `repository:${repo}:pull`;
    if (req.headers.authorization !== `Bearer tok:${scope}`) {
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="fake",scope="${scope}"`, 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (kind === 'manifests') {
      const found = manifests.get(`${repo}:${ref}`) ?? manifests.get(`${repo}@${ref}`);
      if (!found) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': found.type }).end(found.body);
      return;
    }
    if (!blobs.has(ref)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
      return;
    }
    res.writeHead(307, { location: `${base}/storage/${ref}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    serve(repo, tag, image) {
      const entry = { body: image.manifest, type: image.mediaType };
      manifests.set(`${repo}:${tag}`, entry);
      manifests.set(`${repo}@${image.manifestDigest}`, entry);
      blobs.set(image.configDigest, image.config);
      for (const l of image.layers) blobs.set(l.digest, l.blob);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
