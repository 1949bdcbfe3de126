import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../runtime/kube/object.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import { callClusterOrAbsent, type CallContext } from '../clusters/cluster-call.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { refOf } from '../clusters/object-ref.js';
import { keyOf } from './live-digests.js';
import { otherOwner } from './ownership.js';

/** What preflight needs of an object's live counterpart: whether it exists, and the other app that owns it. */
export interface LiveOwner {
  exists: boolean;
  owner?: string;
}

/** keyOf the object as prepareObject leaves it: the app's namespace filled in where a namespaced object names none. */
const preparedKey = (o: KubeObject, app: { namespace: string }) => `${o.metadata.namespace || (isClusterScoped(o.kind) ? '' : app.namespace)}/${o.metadata.name ?? ''}`;

/**
 * Looks up the live counterparts of `objects` (rendered; the lookup is asked with prepared ones) with one
 * list per apiVersion, kind and namespace, made when first asked and shared
 * by concurrent callers, instead of a read per object. Only what preflight
 * needs of the wanted objects is kept. A kind whose list the cluster refuses
 * is read one object at a time.
 */
export function liveOwners(ctx: CallContext, app: { name: string; namespace: string }, objects: readonly KubeObject[]): (object: KubernetesObject) => Promise<LiveOwner> {
  const wanted = new Set(objects.map((o) => preparedKey(o, app)));
  const lists = new Map<string, Promise<Map<string, string | undefined> | undefined>>();
  const ownerOf = (live: KubernetesObject) => otherOwner(live as unknown as KubeObject, app);

  const listed = async (apiVersion: string, kind: string, namespace: string | undefined) => {
    try {
      const list = await callClusterOrAbsent(ctx, 'list', { apiVersion, kind, namespace, name: '' }, () => ctx.target.objects.list(apiVersion, kind, namespace));
      const owners = new Map<string, string | undefined>();
      for (const item of list?.items ?? []) {
        const key = `${namespace ?? ''}/${item.metadata?.name ?? ''}`;
        if (wanted.has(key)) owners.set(key, ownerOf({ ...item, apiVersion, kind }));
      }
      return owners;
    } catch (err) {
      if (err instanceof ObjectRejectedError) return undefined;
      throw err;
    }
  };

  return async (object) => {
    const { apiVersion, kind, namespace } = refOf(object);
    const group = `${apiVersion} ${kind} ${namespace ?? ''}`;
    if (!lists.has(group)) lists.set(group, listed(apiVersion!, kind, namespace));
    const owners = await lists.get(group)!;
    if (owners) return { exists: owners.has(keyOf(object)), owner: owners.get(keyOf(object)) };
    const ref = refOf(object);
    const header = { apiVersion: object.apiVersion!, kind: object.kind!, metadata: { name: ref.name, namespace: ref.namespace } };
    const live = await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read(header));
    return live === undefined ? { exists: false } : { exists: true, owner: ownerOf(live) };
  };
}
