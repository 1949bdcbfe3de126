import type { KubeObject } from '../../runtime/kube/object.js';
import { trackedApp } from '../apps/track-objects.js';

/**
 * The other app that owns `live`, when it is not `app`'s to write: its
 * `baton.dev/app` label (with baton's managed-by label) names another app.
 * An object baton does not manage is adopted, as Argo CD does. The app's own
 * namespace is shared by every app that syncs into it (each app of a preview
 * renders `pr-N`), so its Namespace object is nobody's alone.
 */
export function otherOwner(live: KubeObject, app: { name: string; namespace: string }): string | undefined {
  const owner = trackedApp(live);
  if (owner === undefined || owner === app.name) return undefined;
  if (live.kind === 'Namespace' && live.metadata.name === app.namespace) return undefined;
  return owner;
}

/** A sync reads (and dry-runs) only objects it can address: a hook with only `generateName` gets its name when created. */
export function isAddressable(object: KubeObject): boolean {
  return typeof object.metadata.name === 'string' && object.metadata.name !== '';
}
