import { RenderError } from '../errors/render-error.js';

/**
 * Normalizes a tree-relative path: `/` separators, no `.`, no empty segments.
 * Refuses absolute paths and any `..` (a tree path never needs one).
 */
export function normalizeTreePath(path: string, file = path): string {
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[a-zA-Z]:\//.test(p)) {
    throw RenderError.at('PATH_ESCAPE', file, 1, 1, `absolute path "${path}" is not allowed; use a path relative to the tree`);
  }
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      throw RenderError.at('PATH_ESCAPE', file, 1, 1, `path "${path}" contains "..", which is not allowed`);
    }
    if (seg.includes('\0')) throw RenderError.at('PATH_ESCAPE', file, 1, 1, `path "${path}" contains a NUL byte`);
    parts.push(seg);
  }
  return parts.join('/');
}

export function joinTreePath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/');
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `root` or lies below it. */
export function isWithin(path: string, root: string): boolean {
  return root === '' || path === root || path.startsWith(`${root}/`);
}

/**
 * Lexically resolves a symlink target against the link's directory. Returns
 * undefined when the result would leave the tree (absolute target or too many `..`).
 */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target)) return undefined;
  const parts = dirnameOf(linkPath).split('/').filter(Boolean);
  for (const seg of target.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}
