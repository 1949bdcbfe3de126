import { conflict, invalid } from '../errors/status-error.js';
import type { UpdateOptions } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { qualifiedName, type ResourceType } from '../resources/registry.js';
import { CONFLICT_MESSAGE, normalize, specChanged } from './object-rules.js';

const IMMUTABLE_META = ['uid', 'creationTimestamp', 'name', 'namespace', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const;

/**
 * The object an update would store, carrying the existing resourceVersion
 * (compare it with `existing` to skip a no-op). Applies optimistic
 * concurrency, immutable metadata, the status subresource split and the
 * generation rule.
 */
export function prepareUpdate(type: ResourceType, input: KubeObject, existing: KubeObject, options: UpdateOptions): KubeObject {
  const name = existing.metadata.name!;
  const given = input.metadata ?? {};
  if (given.resourceVersion && given.resourceVersion !== existing.metadata.resourceVersion) {
    throw conflict(qualifiedName(type), name, CONFLICT_MESSAGE);
  }
  if (given.uid && given.uid !== existing.metadata.uid) {
    throw conflict(qualifiedName(type), name, `Precondition failed: UID in precondition: ${given.uid}, UID in object meta: ${existing.metadata.uid}`);
  }
  const hasStatus = type.subresources.includes('status');
  if (options.status && hasStatus) {
    const next = structuredClone(existing);
    if (input.status === undefined) delete next.status;
    else next.status = normalize(input.status);
    // The API layer records status writers in managedFields (subresource: status); keep what it computed.
    if (given.managedFields) next.metadata.managedFields = normalize(given.managedFields);
    return next;
  }
  const next = normalize(input);
  next.apiVersion = existing.apiVersion;
  next.kind = existing.kind;
  const meta = (next.metadata = { ...next.metadata });
  for (const key of IMMUTABLE_META) {
    if (existing.metadata[key] === undefined) delete meta[key];
    else (meta as Record<string, unknown>)[key] = existing.metadata[key];
  }
  meta.resourceVersion = existing.metadata.resourceVersion;
  if (hasStatus && options.withStatus) {
    if (input.status === undefined) delete next.status;
  } else if (hasStatus) {
    if (existing.status === undefined) delete next.status;
    else next.status = structuredClone(existing.status);
  }
  if (type.hasGeneration && specChanged(existing, next)) meta.generation = (existing.metadata.generation ?? 0) + 1;
  if (existing.metadata.deletionTimestamp) {
    const before = new Set(existing.metadata.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw invalid(type.kind, name, [
        { field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, reason: 'FieldValueForbidden' },
      ]);
    }
  }
  if (meta.finalizers?.length === 0) delete meta.finalizers;
  return next;
}

/** Kubernetes removes a deleting object once its last finalizer is gone and no grace period runs. */
export function isReadyToRemove(object: KubeObject): boolean {
  const m = object.metadata;
  return !!m.deletionTimestamp && !m.finalizers?.length && m.deletionGracePeriodSeconds === 0;
}
