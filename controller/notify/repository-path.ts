import { displayUrl, isLocalUrl, normalizeUrl } from '../source/normalize-url.js';
import { NotifyError } from './notify-error.js';

/**
 * The repository's path on its host (`owner/repo`, `group/sub/repo`), from a
 * path or any URL of it, by way of normalizeUrl (so credentials, `.git` and
 * trailing slashes go).
 */
export function repositoryPath(repository: string): string {
  const trimmed = repository.trim();
  const looksLikePath = /^[^/:@\s]+(\/[^/:@\s]+)+$/.test(trimmed) && !trimmed.startsWith('.');
  let path: string;
  if (looksLikePath) {
    path = trimmed.replace(/\.git$/, '');
  } else if (!isLocalUrl(trimmed)) {
    const normalized = normalizeUrl(trimmed);
    path = normalized.slice(normalized.indexOf('/') + 1);
  } else {
    throw new NotifyError('INVALID_STATUS', `repository "${displayUrl(repository)}" is a local path; commit statuses need a GitHub or GitLab repository`, { field: 'repository' });
  }
  if (!/^[^/]+(\/[^/]+)+$/.test(path)) {
    throw new NotifyError('INVALID_STATUS', `repository "${displayUrl(repository)}" does not name owner/repo`, { field: 'repository' });
  }
  return path;
}
