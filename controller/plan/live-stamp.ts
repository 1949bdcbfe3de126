import { hash } from 'node:crypto';
import type { KubeObject } from '../../runtime/kube/object.js';

/**
 * One digest of the identity and version (uid, resourceVersion) of each of an
 * app's live objects, in order. The API server gives every write a new
 * resourceVersion, so an unchanged stamp means unchanged objects, status
 * included; a changed one (a status write, a no-op apply that bumps the
 * version) only means the objects must be compared again. Undefined when an
 * object carries no resourceVersion: nothing then says it did not change.
 * One-shot: a Hash object an app every round was native memory churned for nothing.
 */
export function liveStamp(live: readonly KubeObject[]): string | undefined {
  let text = '';
  for (const o of live) {
    if (!o.metadata.resourceVersion) return undefined;
    text += `${o.metadata.uid ?? ''}/${o.metadata.resourceVersion}\n`;
  }
  return hash('sha1', text, 'base64');
}
