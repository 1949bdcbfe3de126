import { shortRevision } from '../../runtime/kube/revision.js';
import type { SourceErrorCode } from './source-error.js';

/** What a source poller knows of a repository's trouble (see SourceStatus). */
export interface SourceTrouble {
  /** Message of the last check's error; absent once a check succeeds. */
  error?: string;
  errorCode?: SourceErrorCode;
  /** When the checks started failing (the first of the failures in a row). */
  failingSince?: Date;
  /** The followed branch moved to a commit that does not descend from the one before; kept until it moves on normally. */
  forcePush?: { branch: string; from: string; to: string };
}

/**
 * One line for every app of the repository, or undefined when it reads fine:
 * `source unreachable since 10:42: ECONNREFUSED` (UTC), or `branch main was
 * force-pushed: 1a2b3c4 is not an ancestor of 5d6e7f8` (the new head is
 * deployed all the same, as Argo CD does).
 */
export function sourceProblem(trouble: SourceTrouble): string | undefined {
  const lines: string[] = [];
  if (trouble.error !== undefined) {
    const since = (trouble.failingSince ?? new Date()).toISOString().slice(11, 16);
    // `cannot reach <url>: ECONNREFUSED` says the URL every app of the repository already names.
    const reason = trouble.errorCode === 'UNREACHABLE' ? trouble.error.replace(/^cannot reach \S+: /, '') : trouble.error;
    lines.push(`source ${trouble.errorCode === 'UNREACHABLE' ? 'unreachable' : 'unreadable'} since ${since}: ${reason}`);
  }
  const push = trouble.forcePush;
  if (push) lines.push(`branch ${push.branch} was force-pushed: ${shortRevision(push.from)} is not an ancestor of ${shortRevision(push.to)}`);
  return lines.length > 0 ? lines.join('; ') : undefined;
}
