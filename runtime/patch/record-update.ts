import type { KubeObject } from '../kube/object.js';
import { cloneJson } from './json-value.js';
import { decodeManagers, encodeManagers, managerId, settleOwnership, timestamp, trackedView, type Manager } from './managed-fields.js';

/**
 * Records a non-apply write (create, update, merge/JSON/strategic patch) in
 * `metadata.managedFields`: the writer, as an `Update` manager, takes the
 * fields it added or changed, away from whoever owned them; fields it removed
 * leave every owner. Later applies then see who else cares about a field.
 * `old` is undefined for a create. Returns a copy of `updated`.
 *
 * Like Kubernetes, managedFields sent with a main-resource write are taken as
 * the new starting point (that is how `kubectl apply --server-side` migrates
 * client-side-apply ownership, and how `[{}]` resets it); a write that sends
 * none keeps the stored ones.
 */
export function recordUpdate(
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  now?: string,
  subresource?: string,
): KubeObject {
  const kind = updated.kind;
  const result = cloneJson(updated);
  const sent = updated.metadata.managedFields;
  const managers = decodeManagers(Array.isArray(sent) && sent.length > 0 && !subresource ? sent : old?.metadata.managedFields);
  const entry: Manager['entry'] = {
    manager,
    operation: 'Update',
    apiVersion: updated.apiVersion,
    time: timestamp(now),
    ...(subresource ? { subresource } : {}),
  };
  const id = managerId(entry);
  const diff = settleOwnership(kind, managers, id, trackedView(old), trackedView(updated) ?? {}, true);
  const changed = diff.added.size + diff.modified.size + diff.removed.size > 0;
  let writer = managers.find((m) => managerId(m.entry) === id);
  if (!writer && changed) {
    writer = { entry, set: diff.added.union(diff.modified) };
    managers.push(writer);
  } else if (writer && changed) {
    writer.entry = entry;
    writer.set = writer.set.difference(diff.removed).union(diff.modified).union(diff.added);
  }
  const managedFields = encodeManagers(managers);
  if (managedFields.length > 0) result.metadata.managedFields = managedFields;
  else delete result.metadata.managedFields;
  return result;
}
