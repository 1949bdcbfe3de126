import { DOCKER_HUB } from './image-reference.js';
import type { RegistryEndpoint } from './registry-endpoints.js';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (registries.yaml `identity_token`), used instead of the password at the token realm. */
  identityToken?: string;
}

const hubAliases = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

/** `https://index.docker.io/v1/` → `docker.io`; `Registry.Example.com:5000` → `registry.example.com:5000`. */
export function normalizeAuthKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return hubAliases.has(host) ? DOCKER_HUB : host;
}

function decodeAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function fromEntry(entry: unknown): Credentials | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.username === 'string' && typeof e.password === 'string' && e.username) return { username: e.username, password: e.password };
  if (typeof e.auth === 'string' && e.auth) return decodeAuth(e.auth);
  if (typeof e.identitytoken === 'string' && e.identitytoken) return { username: '', password: '', identityToken: e.identitytoken };
  return undefined;
}

/**
 * Credentials for one endpoint. The pod's pull secrets name hosts; they apply
 * to the endpoint whose host they name, and to the registry's own endpoint
 * under the image's registry name (`docker.io` for Docker Hub). Otherwise the
 * registries.yaml `configs` entry of the endpoint's host.
 */
export function credentialsFor(endpoint: RegistryEndpoint, registry: string, dockerConfigs: unknown[]): Credentials | undefined {
  const wanted = new Set([normalizeAuthKey(endpoint.host)]);
  if (endpoint.isDefault) wanted.add(normalizeAuthKey(registry));
  for (const doc of dockerConfigs) {
    const auths = (doc as { auths?: unknown } | null)?.auths;
    if (!auths || typeof auths !== 'object') continue;
    for (const [key, entry] of Object.entries(auths)) {
      if (!wanted.has(normalizeAuthKey(key))) continue;
      const creds = fromEntry(entry);
      if (creds) return creds;
    }
  }
  const auth = endpoint.config?.auth;
  if (!auth) return undefined;
  if (auth.username) return { username: auth.username, password: auth.password ?? '', identityToken: auth.identity_token };
  if (auth.auth) return decodeAuth(auth.auth);
  if (auth.identity_token) return { username: '', password: '', identityToken: auth.identity_token };
  return undefined;
}
