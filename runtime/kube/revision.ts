/**
 * A Git commit id in full: 40 hex digits (SHA-1) or 64 (SHA-256), lower case
 * as Git prints them. Anything else (a branch, a tag, a short id) is a
 * revision people wrote, and is shown as they wrote it.
 */
export const COMMIT_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Whether `revision` is a full commit id (see {@link COMMIT_ID}). */
export function isCommitId(revision: string): boolean {
  return COMMIT_ID.test(revision);
}

/**
 * A revision as people read it: a full commit id cut to its first 7 digits
 * (as `git log --oneline` shows it), any other revision unchanged, and
 * `none` when there is no revision.
 */
export function shortRevision(revision: string | null | undefined, none = '(none)'): string {
  if (!revision) return none;
  return isCommitId(revision) ? revision.slice(0, 7) : revision;
}
