import { DOCKER_HUB, type ImageReference } from './image-reference.js';
import type { RegistriesConfig, RegistryHostConfig } from './registries-config.js';

/** One place to try a pull from, in k3s's order. */
export interface RegistryEndpoint {
  /** Base every request goes under, ending in `/v2`, e.g. `http://127.0.0.1:5000/v2`. */
  base: string;
  /** `host[:port]` of the endpoint: the key of its `configs` entry. */
  host: string;
  /** Repository path to ask this endpoint for, after the mirror's rewrites. */
  repository: string;
  /** The registry's own endpoint (not a mirror). */
  isDefault: boolean;
  config?: RegistryHostConfig;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\./.test(name) || name === '[::1]';
}

function defaultBase(registry: string, config: RegistriesConfig | undefined): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io/v2';
  // containerd talks plain HTTP to a loopback registry; one given TLS settings is taken at its word.
  const scheme = isLoopback(registry) && !config?.configs[registry]?.tls ? 'http' : 'https';
  return `${scheme}://${registry}/v2`;
}

function applyRewrite(repository: string, rewrite: Record<string, string> | undefined): string {
  for (const [pattern, replacement] of Object.entries(rewrite ?? {})) {
    const re = new RegExp(pattern);
    if (re.test(repository)) return repository.replace(re, replacement);
  }
  return repository;
}

/**
 * Endpoints for `ref` in the order k3s tries them: the registry's mirror
 * endpoints (or the `"*"` mirror's), then its default endpoint unless
 * `disableDefaultEndpoint` and the registry is configured.
 */
export function registryEndpoints(ref: ImageReference, config: RegistriesConfig | undefined, disableDefaultEndpoint = false): RegistryEndpoint[] {
  const mirror = config?.mirrors[ref.registry] ?? config?.mirrors['*'];
  const out: RegistryEndpoint[] = [];
  for (const url of mirror?.endpoint ?? []) {
    const u = new URL(url);
    const path = u.pathname.replace(/\/+$/, '');
    // k3s: an endpoint path ending in /v2 is used as given, any other path is a prefix before /v2.
    const base = `${u.protocol}//${u.host}${path.endsWith('/v2') ? path : `${path}/v2`}`;
    out.push({ base, host: u.host, repository: applyRewrite(ref.repository, mirror?.rewrite), isDefault: false, config: config?.configs[u.host] });
  }
  if (!(disableDefaultEndpoint && mirror)) {
    const base = defaultBase(ref.registry, config);
    const host = new URL(base).host;
    if (!out.some((e) => e.base === base)) {
      out.push({ base, host, repository: ref.repository, isDefault: true, config: config?.configs[host] ?? config?.configs[ref.registry] });
    }
  }
  return out;
}
