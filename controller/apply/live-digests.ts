import type { KubernetesObject } from '@kubernetes/client-node';
import { contentDigest } from '../../runtime/kube/canonical-json.js';
import { callClusterOrAbsent, type CallContext } from '../clusters/cluster-call.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';

/** `namespace/name` (namespace '' when cluster-scoped): how one kind's objects are told apart. */
export const keyOf = (object: KubernetesObject) => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/**
 * A digest of what an apply may change in an object. Some API servers bump
 * the resourceVersion and managedFields time of a no-op apply
 * (kubernetes#121404), so those are left out; status is not the applier's
 * (controllers may write it in between); list items may lack apiVersion and
 * kind. Answers come as the API server's JSON (plain-object-api.ts): no
 * Dates to turn back into text, so the object is digested as it is.
 */
export function contentDigestOf(object: KubernetesObject): string {
  const { resourceVersion: _rv, managedFields, ...metadata } = object.metadata ?? {};
  const { status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object as KubernetesObject & { status?: unknown };
  const content = { ...rest, metadata: { ...metadata, managedFields: managedFields?.map(({ time: _time, ...entry }) => entry) } };
  return contentDigest(content);
}

/**
 * The content digests of the live counterparts of `run` (objects of one
 * apiVersion and kind) that exist, by keyOf; one list per namespace instead
 * of a read per object. Only the digests of `run`'s objects are kept.
 * Undefined when the cluster refuses the list (a kind it does not serve, no
 * right to list): the objects are then read one by one, and the apply names
 * what is wrong.
 */
export async function liveDigests(ctx: CallContext, run: readonly KubernetesObject[]): Promise<Map<string, string> | undefined> {
  const wanted = new Set(run.map(keyOf));
  const { apiVersion, kind } = run[0]!;
  const digests = new Map<string, string>();
  for (const namespace of new Set(run.map((o) => o.metadata?.namespace))) {
    const ref = { apiVersion, kind: kind!, namespace, name: '' };
    let list;
    try {
      list = await callClusterOrAbsent(ctx, 'list', ref, () => ctx.target.objects.list(apiVersion!, kind!, namespace));
    } catch (err) {
      if (err instanceof ObjectRejectedError) return undefined;
      throw err;
    }
    for (const item of list?.items ?? []) {
      const key = `${namespace ?? ''}/${item.metadata?.name ?? ''}`;
      if (wanted.has(key)) digests.set(key, contentDigestOf(item));
    }
  }
  return digests;
}
