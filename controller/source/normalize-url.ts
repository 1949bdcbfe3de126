import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * True when `url` names a repository on this machine: an absolute or relative
 * path, or a `file://` URL. Everything with a scheme (or scp-like `host:path`) is remote.
 */
export function isLocalUrl(url: string): boolean {
  if (url.startsWith('file://')) return true;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url)) return false;
  // `git@host:owner/repo` is ssh shorthand; a Windows drive letter (`C:\`) is a path.
  if (/^[^/\\]+:/.test(url) && !/^[a-zA-Z]:[\\/]/.test(url)) return false;
  return true;
}

/** The filesystem path of a local repository URL (a path or `file://` URL), resolved. */
export function localPath(url: string): string {
  const p = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return resolve(p).replace(/[\\/]+$/, '') || '/';
}

/**
 * The form two URLs of the same repository share, to match webhooks to repositories:
 * `host[:port]/path` with a lower-case host, without scheme, credentials, query,
 * trailing `/` or `.git`. So `https://User:t@GitHub.com/acme/shop.git/`,
 * `http://github.com/acme/shop` and `git@github.com:acme/shop.git` all give
 * `github.com/acme/shop`. A local path gives its resolved absolute path.
 */
export function normalizeUrl(url: string): string {
  const trimmed = url.trim();
  if (isLocalUrl(trimmed)) return stripGitSuffix(localPath(trimmed));
  let host: string;
  let path: string;
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(trimmed)) {
    const u = new URL(trimmed);
    host = u.host.toLowerCase();
    path = decodeURIComponent(u.pathname);
  } else {
    // scp-like: [user@]host:path
    const colon = trimmed.indexOf(':');
    host = trimmed.slice(0, colon).replace(/^[^@]*@/, '').toLowerCase();
    path = `/${trimmed.slice(colon + 1).replace(/^\/+/, '')}`;
  }
  return `${host}${stripGitSuffix(path)}`;
}

function stripGitSuffix(path: string): string {
  let p = path.replace(/\/+$/, '');
  if (p.endsWith('.git')) p = p.slice(0, -4).replace(/\/+$/, '');
  return p;
}

/** `url` with any credentials removed, for messages, logs and status. */
export function displayUrl(url: string): string {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/**
 * A stable, filesystem-safe id for a repository: a readable slug of the
 * normalized URL plus a short hash of it, e.g. `github.com-acme-shop-1b2c3d4e5f`.
 * The same repository spelled differently (see normalizeUrl) gets the same id.
 */
export function repoId(url: string): string {
  const normalized = normalizeUrl(url);
  const slug = normalized
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-40)
    .replace(/^-+/, '');
  const hash = createHash('sha256').update(normalized).digest('hex').slice(0, 10);
  return slug ? `${slug}-${hash}` : hash;
}
