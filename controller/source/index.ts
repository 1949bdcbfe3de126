export { GitTree } from './git-tree.js';
export { displayUrl, isLocalUrl, normalizeUrl, repoId } from './normalize-url.js';
export { RepositorySource, type CommitInfo, type RefCheck, type RepositorySourceOptions } from './repository.js';
export { DEFAULT_TOKEN_ENV } from './repository-token.js';
export { SourceError, type SourceErrorCode, type SourceErrorData } from './source-error.js';
export {
  SourcePoller,
  type GitRequestEvent,
  type RevisionEvent,
  type SourceErrorEvent,
  type SourcePollerEvents,
  type SourcePollerOptions,
  type SourceStatus,
} from './source-poller.js';
export { TreeCache } from './tree-cache.js';
