import { displayUrl, isLocalUrl, normalizeUrl } from '../../source/normalize-url.js';
import { NotifyError } from './notify-error.js';

/**
 * The repository's path on its host (`owner/repo`, `group/sub/repo`) from any
 * URL of it, from the normalized form in WebhookEvent.repoUrls
 * (`github.com/owner/repo`), or from the path itself. A first segment with a
 * dot or a port is taken for a host: GitHub owners cannot contain dots; for a
 * GitLab top-level group that does, pass a full URL.
 */
export function repositoryPath(repository: string): string {
  const trimmed = repository.trim();
  let path: string;
  if (/^[^./:@\s][^/:@\s]*(:\d+)?(\/[^/:@\s]+)+$/.test(trimmed)) {
    const [first, ...rest] = trimmed.split('/');
    path = (/[.:]/.test(first) || first === 'localhost' ? rest : [first, ...rest]).join('/').replace(/\.git$/, '');
  } else if (!isLocalUrl(trimmed)) {
    const normalized = normalizeUrl(trimmed);
    path = normalized.slice(normalized.indexOf('/') + 1);
  } else {
    throw invalid(repository, 'is a local path; commit statuses need a GitHub or GitLab repository');
  }
  if (!/^[^/]+(\/[^/]+)+$/.test(path)) throw invalid(repository, 'does not name owner/repo');
  return path;
}

function invalid(repository: string, why: string): NotifyError {
  return new NotifyError('INVALID_STATUS', `repository "${displayUrl(repository)}" ${why}`, { field: 'repository' });
}
