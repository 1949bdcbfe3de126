import { randomUUID } from 'node:crypto';
import { invalid } from '../errors/status-error.js';
import type { KubeObject } from '../kube/object.js';
import { apiVersionOf, type ResourceType } from '../resources/registry.js';
import { applyCreateDefaults, generateName, normalize, timestamp } from './object-rules.js';

/**
 * The object as it will be stored by a create, before namespace and
 * uniqueness checks: a fresh copy (the caller's object is left alone) with
 * name, uid, creationTimestamp, generation and create-time status filled in.
 */
export function prepareCreate(type: ResourceType, input: KubeObject, nameTaken: (namespace: string, name: string) => boolean): KubeObject {
  const object = normalize(input);
  object.apiVersion = apiVersionOf(type);
  object.kind = type.kind;
  const meta = (object.metadata = { ...(object.metadata ?? {}) });
  if (type.namespaced) meta.namespace ||= 'default';
  else delete meta.namespace;
  if (!meta.name) {
    if (!meta.generateName) {
      throw invalid(type.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' }]);
    }
    // A few suffixes before reporting the clash as AlreadyExists: a generated name rarely repeats.
    for (let i = 0; i < 8 && (!meta.name || nameTaken(meta.namespace ?? '', meta.name)); i++) meta.name = generateName(meta.generateName);
  }
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (type.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  applyCreateDefaults(type.group, type.kind, object);
  return object;
}
