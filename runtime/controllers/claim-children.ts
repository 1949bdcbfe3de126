import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { findByKind, type ResourceType } from '../resources/registry.js';
import { controllerRefOf, newControllerRef } from './controller-ref.js';
import { labelQuery, type LabelSelector } from '../kube/label-selector.js';

/**
 * The children `owner` controls after adopting orphans that match its
 * selector and releasing its own that no longer match (controller
 * ref manager's Claim*). Children controlled by someone else are left alone.
 */
export async function claimChildren(
  cluster: Cluster,
  type: ResourceType,
  owner: KubeObject,
  selector: LabelSelector,
  candidates: KubeObject[],
): Promise<KubeObject[]> {
  const ownerUid = owner.metadata.uid;
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  const claimed: KubeObject[] = [];
  let ownerChecked = false;
  const selects = matcherOf(selector);
  for (const child of candidates) {
    const ref = controllerRefOf(child);
    const matches = selects(child.metadata.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) claimed.push(child);
      else if (!ownerDeleting) await updateRefs(cluster, type, child, (refs) => refs.filter((r) => r.uid !== ownerUid));
      continue;
    }
    if (!matches || ownerDeleting || child.metadata.deletionTimestamp) continue;
    if (!ownerChecked) {
      // Adopt only for an owner that still exists as we know it, not a deleted one recreated under the same name.
      const ownerType = findByKind(owner.apiVersion, owner.kind);
      if (!ownerType) throw new Error(`claimChildren: unknown owner kind ${owner.apiVersion} ${owner.kind}`);
      const fresh = await cluster.get(ownerType, owner.metadata.namespace, String(owner.metadata.name)).catch((err) => {
        if (err?.code === 404) return undefined;
        throw err;
      });
      if (!fresh || fresh.metadata.uid !== ownerUid || fresh.metadata.deletionTimestamp) return claimed;
      ownerChecked = true;
    }
    const adopted = await updateRefs(cluster, type, child, (refs) => [...refs, newControllerRef(owner)]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** selectorMatches with the selector parsed once for all candidates: a malformed one matches nothing. */
function matcherOf(selector: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => false;
  try {
    const query = labelQuery(selector);
    return (labels) => query.matches(labels);
  } catch {
    return () => false;
  }
}

async function updateRefs(
  cluster: Cluster,
  type: ResourceType,
  child: KubeObject,
  change: (refs: NonNullable<KubeObject['metadata']['ownerReferences']>) => NonNullable<KubeObject['metadata']['ownerReferences']>,
): Promise<KubeObject | undefined> {
  const next = structuredClone(child);
  next.metadata.ownerReferences = change(child.metadata.ownerReferences ?? []);
  if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
  try {
    return await cluster.update(type, next);
  } catch (err: any) {
    if (err?.code === 404) return undefined;
    throw err;
  }
}
