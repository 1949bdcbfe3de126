import { badRequest } from '../../errors/status-error.js';
import type { Cluster } from '../../objects/cluster.js';
import { parseFieldSelector } from '../../store/field-selector.js';
import type { KubeObject } from '../../kube/object.js';
import { apiVersionOf, type ResourceType } from '../../resources/registry.js';
import { customVersionOf } from './custom-versions.js';

function inVersion(type: ResourceType, obj: KubeObject): KubeObject {
  return obj.kind === type.kind && obj.apiVersion !== apiVersionOf(type) ? { ...obj, apiVersion: apiVersionOf(type) } : obj;
}

/** Custom resources are selected by metadata.name, metadata.namespace and their version's selectableFields only, as in Kubernetes. */
function checkFieldSelector(type: ResourceType, selector: string | undefined): void {
  if (!selector) return;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(customVersionOf(type)?.selectableFields ?? [])]);
  for (const { field } of parseFieldSelector(selector).requirements) {
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
  }
}

/** The type a new object is stored as: its CRD's storage version. */
function storageTypeOf(type: ResourceType): ResourceType {
  const storage = customVersionOf(type)?.storageVersion;
  return storage && storage !== type.version ? { ...type, version: storage } : type;
}

/**
 * The store as one served version of a custom resource sees it: objects are
 * created in the CRD's storage version and read in the version asked for.
 * With conversion `None`, converting is only changing apiVersion, as
 * Kubernetes' nopConverter does.
 */
export function servedVersionCluster(cluster: Cluster): Cluster {
  return {
    get: async (type, namespace, name) => inVersion(type, await cluster.get(type, namespace, name)),
    list: async (type, options) => {
      checkFieldSelector(type, options?.fieldSelector);
      const result = await cluster.list(type, options);
      return { ...result, items: result.items.map((item) => inVersion(type, item)) };
    },
    create: async (type, object) => inVersion(type, await cluster.create(storageTypeOf(type), object)),
    update: async (type, object, options) => inVersion(type, await cluster.update(type, object, options)),
    delete: async (type, namespace, name, options) => inVersion(type, await cluster.delete(type, namespace, name, options)),
    watch: (type, options, onEvent) => {
      checkFieldSelector(type, options.fieldSelector);
      return cluster.watch(type, options, (event) => onEvent(event.object ? { ...event, object: inVersion(type, event.object as KubeObject) } : event));
    },
  };
}
