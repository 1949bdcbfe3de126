import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import { semanticEqual } from '../kube/canonical-json.js';

/**
 * Writes `status` to the object's status subresource unless it is what the
 * object already has. For status only one controller writes: the
 * resourceVersion is dropped, so the last writer wins over a concurrent spec
 * edit, and an object deleted meanwhile is no error.
 */
export async function writeOwnStatus(cluster: Cluster, type: ResourceType, obj: KubeObject, status: Record<string, unknown>, fieldManager: string): Promise<void> {
  if (semanticEqual(status, obj.status ?? {})) return;
  const updated = structuredClone(obj);
  updated.status = status;
  delete updated.metadata.resourceVersion;
  try {
    await cluster.update(type, updated, { status: true, fieldManager });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
}
