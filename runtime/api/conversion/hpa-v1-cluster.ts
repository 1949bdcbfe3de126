import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import { hpaToV1, hpaToV2 } from './hpa-v1-conversion.js';

/**
 * The store as autoscaling/v1 sees HorizontalPodAutoscalers: one object,
 * stored in v2, read and written through the v1 conversion (as the API
 * server serves every version of a kind from one storage version).
 */
export function hpaV1Cluster(cluster: Cluster): Cluster {
  const v2: ResourceType = resources.horizontalpodautoscalers;
  const v1 = (obj: KubeObject) => hpaToV1(obj);
  return {
    get: async (_type, namespace, name) => v1(await cluster.get(v2, namespace, name)),
    list: async (_type, options) => {
      const result = await cluster.list(v2, options);
      return { ...result, items: result.items.map(v1) };
    },
    create: async (_type, object) => v1(await cluster.create(v2, hpaToV2(object))),
    update: async (_type, object, options) => {
      const next = hpaToV2(object);
      // A spec write keeps v2's own status; a status write keeps v2's spec (neither has a place in the other view).
      const live = await cluster.get(v2, object.metadata.namespace, object.metadata.name!);
      if (options?.status) next.spec = live.spec;
      else next.status = live.status;
      return v1(await cluster.update(v2, next, options));
    },
    delete: async (_type, namespace, name, options) => v1(await cluster.delete(v2, namespace, name, options)),
    watch: (_type, options, onEvent) => cluster.watch(v2, options, (event) => onEvent(event.object && (event.object as KubeObject).kind === 'HorizontalPodAutoscaler' ? { ...event, object: v1(event.object as KubeObject) } : event)),
  };
}
