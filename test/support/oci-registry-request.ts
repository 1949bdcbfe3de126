import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a request needs to know of a registry; LocalRegistry has it. */
export interface RegistryEndpoint {
  /** `http://127.0.0.1:PORT` or `https://…`. */
  url: string;
  /** CA to trust for an https registry. */
  caPem?: string;
}

export interface RegistryRequestOptions {
  /** @defaultValue {} */
  headers?: Record<string, string>;
  /** @defaultValue no body */
  body?: Buffer;
  /** Sent as HTTP basic auth. @defaultValue anonymous */
  auth?: { username: string; password: string };
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One HTTP request to a test registry; `pathOrUrl` is a path below the
 * registry (`/v2/…`) or an absolute URL such as an upload `Location`.
 * Trusts only the registry's own CA, never the system store.
 */
export function registryRequest(
  registry: RegistryEndpoint,
  method: string,
  pathOrUrl: string,
  options: RegistryRequestOptions = {},
): Promise<RegistryResponse> {
  const url = new URL(pathOrUrl, registry.url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  if (options.body) headers['content-length'] = String(options.body.length);
  else if (method === 'PUT' || method === 'POST') headers['content-length'] = '0';
  return new Promise((resolve, reject) => {
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { method, headers, ca: registry.caPem, agent: false })
        : httpRequest(url, { method, headers, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end(options.body);
  });
}
