import type { ResourceType } from '../resources/registry.js';
import type { Cluster } from './cluster.js';
import type { KubeObject } from '../kube/object.js';

/** The object, or undefined when the store has none by that name. */
export async function getIfExists(cluster: Cluster, type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  if (cluster.find) return cluster.find(type, namespace, name);
  try {
    return await cluster.get(type, namespace, name);
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return undefined;
    throw error;
  }
}
