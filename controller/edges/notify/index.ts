export { CommitStatusNotifier, type CommitStatusNotifierOptions } from './commit-status-notifier.js';
export type { CommitState, CommitStatus, NotifyResult } from './commit-status.js';
export { NotifyError, type NotifyErrorCode } from './notify-error.js';
export { repositoryPath } from './repository-path.js';
