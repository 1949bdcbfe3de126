import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { Credentials } from './registry-credentials.js';
import type { RegistryEndpoint } from './registry-endpoints.js';
import { RegistryError } from './registry-error.js';
import { describeTransportError } from './transport-errors.js';
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

/** containerd's limit: a manifest is a small document, never a stream. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  body: Buffer;
  mediaType: string;
  /** `sha256:` of the bytes as served. */
  digest: string;
  url: string;
}

export interface FetchedBlob {
  stream: Readable;
  url: string;
}

function registryMessage(status: number, statusText: string, body: string): string {
  try {
    const errors = (JSON.parse(body) as { errors?: { code?: string; message?: string }[] }).errors;
    if (errors?.length) return errors.map((e) => `${(e.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`).join('; ');
  } catch {}
  return `unexpected status from GET request: ${status} ${statusText}`.trim();
}

const statusTexts: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' };

/**
 * Speaks the OCI distribution API to one endpoint for one repository,
 * answering Bearer and Basic challenges. Tokens are cached per scope for the
 * client's life (the store keeps one client per endpoint and credentials).
 */
export class RegistryClient {
  private readonly dispatcher: Dispatcher;
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  private challenge: AuthChallenge | undefined;

  constructor(
    readonly endpoint: RegistryEndpoint,
    private readonly credentials: Credentials | undefined,
  ) {
    const tls = endpoint.config?.tls;
    const agent = new Agent({
      connect: {
        ca: tls?.ca_file ? readFileSync(tls.ca_file) : undefined,
        cert: tls?.cert_file ? readFileSync(tls.cert_file) : undefined,
        key: tls?.key_file ? readFileSync(tls.key_file) : undefined,
        rejectUnauthorized: !tls?.insecure_skip_verify,
        timeout: 10_000,
      },
      // A registry that stops answering fails the pull (and frees the pod's reconcile) instead of hanging it for minutes.
      headersTimeout: 30_000,
      bodyTimeout: 60_000,
    });
    this.dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const url = `${this.endpoint.base}/${repository}/manifests/${reference}`;
    const res = await this.send(url, repository, { accept: MANIFEST_TYPES.join(', ') });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_MANIFEST_BYTES) {
        res.body.destroy();
        throw new RegistryError(url, `manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) throw new RegistryError(url, `manifest digest ${digest} does not match ${reference}`);
    let mediaType = String(res.headers['content-type'] ?? '').split(';')[0].trim();
    try {
      const doc = JSON.parse(body.toString('utf8')) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
      if (doc.schemaVersion === 1 || mediaType.startsWith('application/vnd.docker.distribution.manifest.v1')) {
        throw new RegistryError(url, 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 are not supported: push the image again with a current docker, buildah or skopeo');
      }
      if (doc.mediaType) mediaType = doc.mediaType;
      else if (!MANIFEST_TYPES.includes(mediaType)) mediaType = doc.manifests ? MANIFEST_TYPES[0] : MANIFEST_TYPES[1];
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw new RegistryError(url, 'manifest is not JSON');
    }
    return { body, mediaType, digest, url };
  }

  async getBlob(repository: string, digest: string): Promise<FetchedBlob> {
    const url = `${this.endpoint.base}/${repository}/blobs/${digest}`;
    const res = await this.send(url, repository, {});
    return { stream: res.body, url };
  }

  private async send(url: string, repository: string, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    const scope = `repository:${repository}:pull`;
    let res = await this.request(url, { ...headers, ...(await this.authorization(url, scope)) });
    if (res.statusCode === 401) {
      const header = res.headers['www-authenticate'];
      const challenges = parseWwwAuthenticate(Array.isArray(header) ? header.join(', ') : (header ?? ''));
      const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (challenge && (challenge.scheme === 'bearer' || this.credentials)) {
        await res.body.dump();
        this.challenge = challenge;
        res = await this.request(url, { ...headers, ...(await this.authorization(url, challenge.params.scope ?? scope)) });
      }
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = await res.body.text().catch(() => '');
    throw new RegistryError(url, registryMessage(res.statusCode, statusTexts[res.statusCode] ?? '', text), res.statusCode);
  }

  private async request(url: string, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method: 'GET', headers, dispatcher: this.dispatcher });
    } catch (err) {
      throw new RegistryError(url, describeTransportError(err, new URL(url)));
    }
  }

  private async authorization(url: string, scope: string): Promise<Record<string, string>> {
    const c = this.challenge;
    if (!c) return {};
    if (c.scheme === 'basic') return this.credentials ? { authorization: `Basic ${basic(this.credentials)}` } : {};
    const realm = c.params.realm;
    if (!realm) throw new RegistryError(url, 'bearer challenge without a realm');
    const key = `${realm} ${c.params.service ?? ''} ${scope}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now()) return { authorization: `Bearer ${cached.token}` };
    const token = await this.fetchToken(realm, c.params.service, scope);
    this.tokens.set(key, token);
    return { authorization: `Bearer ${token.token}` };
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string): Promise<{ token: string; expires: number }> {
    const u = new URL(realm);
    const creds = this.credentials;
    let res: Dispatcher.ResponseData;
    try {
      if (creds?.identityToken) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'baton', scope, ...(service ? { service } : {}) });
        res = await request(u, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, dispatcher: this.dispatcher });
      } else {
        if (service) u.searchParams.set('service', service);
        u.searchParams.set('scope', scope);
        const headers: Record<string, string> = creds ? { authorization: `Basic ${basic(creds)}` } : {};
        res = await request(u, { method: 'GET', headers, dispatcher: this.dispatcher });
      }
    } catch (err) {
      throw new RegistryError(u.href, `failed to fetch anonymous token: ${describeTransportError(err, u)}`);
    }
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new RegistryError(u.href, `failed to fetch ${creds ? 'oauth' : 'anonymous'} token: ${registryMessage(res.statusCode, statusTexts[res.statusCode] ?? '', text)}`, res.statusCode);
    }
    let doc: { token?: string; access_token?: string; expires_in?: number };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new RegistryError(u.href, 'token response is not JSON');
    }
    const token = doc.token ?? doc.access_token;
    if (!token) throw new RegistryError(u.href, 'token response holds no token');
    // Registries default to 60 s; renew a little early.
    return { token, expires: Date.now() + Math.max(10, (doc.expires_in ?? 60) - 10) * 1000 };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

function basic(c: Credentials): string {
  return Buffer.from(`${c.username}:${c.password}`).toString('base64');
}
