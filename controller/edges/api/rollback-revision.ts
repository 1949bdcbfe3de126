import { shortRevision } from '../../../runtime/kube/revision.js';
import type { AppStatus } from '../../state/app-status.js';
import { badRequest, conflict, notFound } from './api-error.js';

const short = (revision: string) => shortRevision(revision);

/**
 * The revision a rollback goes to: `wanted` (a full or unambiguous
 * abbreviated commit id) if its healthy manifests are kept, else the newest
 * healthy revision other than the live one. Only kept revisions qualify, so
 * a rollback needs neither Git nor a re-render.
 */
export function pickRollbackRevision(status: AppStatus, healthy: readonly string[], wanted?: string): string {
  const kept = () => (healthy.length ? `; kept healthy revisions, newest first: ${healthy.map(short).join(', ')}` : '; it has no healthy revision yet');
  if (wanted === undefined) {
    const previous = healthy.find((r) => r !== status.revision);
    if (!previous) throw conflict(`app "${status.name}" has no earlier healthy revision to roll back to${kept()}`);
    return previous;
  }
  const matches = healthy.filter((r) => r === wanted || (wanted.length >= 4 && r.startsWith(wanted)));
  if (matches.length > 1 && !matches.includes(wanted)) {
    throw badRequest(`body.revision: "${wanted}" matches ${matches.length} revisions (${matches.map(short).join(', ')}); give more of the commit id`);
  }
  if (matches.length === 0) throw notFound(`app "${status.name}" has no healthy revision "${wanted}" to roll back to${kept()}`);
  return matches.includes(wanted) ? wanted : matches[0];
}
