import { badRequest } from '../errors/status-error.js';
import type { KubeObject, ManagedFieldsEntry } from '../kube/object.js';
import { mergeForApply, removeFields } from './apply-merge.js';
import type { FieldPath } from './field-set.js';
import { fieldSetOf, findUnkeyedItem } from './field-walk.js';
import { cloneJson, isObject, type JsonObject } from './json-value.js';
import { decodeManagers, encodeManagers, managerId, settleOwnership, timestamp, trackedView, type Manager } from './managed-fields.js';

export interface ServerSideApplyArgs {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The configuration the manager applies (`application/apply-patch+yaml` body). */
  applied: KubeObject;
  /** The `fieldManager` query parameter. */
  manager: string;
  /** The `force` query parameter: take fields other managers own instead of failing with a conflict. */
  force: boolean;
  /**
   * `status` when applying to the status subresource: only `status` is applied, and
   * the manager's entry is recorded with that subresource.
   * @defaultValue undefined (the main resource, where `status` is ignored)
   */
  subresource?: string;
  /**
   * Time recorded in the manager's entry (RFC 3339).
   * @defaultValue the current time
   */
  now?: string;
}

/** Who owns the fields of objects created or updated before anyone tracked ownership. */
const BEFORE_FIRST_APPLY = 'before-first-apply';

/**
 * Server-side apply: merges `applied` into `live`, removes fields this manager
 * applied before but no longer does (unless another manager owns them), and
 * records ownership in `metadata.managedFields`. A field another manager owns
 * that the apply would change is a 409 Conflict unless `force` moves it over.
 * `status` is not applied through the main resource, and only `status` is
 * applied through the status subresource, as in Kubernetes.
 */
export function serverSideApply(args: ServerSideApplyArgs): KubeObject {
  const { live, applied, manager, force } = args;
  if (!isObject(applied) || !isObject(applied.metadata)) throw badRequest('the applied configuration must be an object with metadata');
  if (Array.isArray(applied.metadata.managedFields) && applied.metadata.managedFields.length > 0) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (live && (live.kind !== applied.kind || live.apiVersion.split('/')[0] !== applied.apiVersion.split('/')[0])) {
    throw badRequest(`the applied ${applied.apiVersion}, Kind=${applied.kind} does not match the object's ${live.apiVersion}, Kind=${live.kind}`);
  }
  const kind = applied.kind;
  const time = timestamp(args.now);
  // withoutNulls copies every object and list on its way: `applied` is left alone.
  const config = appliedPart(withoutNulls(applied) as KubeObject, args.subresource);
  const unkeyed = findUnkeyedItem(kind, { path: [], meta: '', value: config });
  if (unkeyed) throw badRequest(`failed to create typed patch object (${config.metadata.namespace ?? ''}/${config.metadata.name ?? ''}; ${config.apiVersion}, Kind=${kind}): ${unkeyed}`);

  const managers = decodeManagers(live?.metadata.managedFields);
  const liveTracked = trackedView(live);
  if (live && managers.length === 0) {
    managers.push({
      entry: { manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: live.apiVersion, time },
      set: fieldSetOf(kind, { path: [], meta: '', value: liveTracked }),
    });
  }
  const entry: Manager['entry'] = {
    manager,
    operation: 'Apply',
    apiVersion: applied.apiVersion,
    time,
    ...(args.subresource ? { subresource: args.subresource } : {}),
  };
  const id = managerId(entry);
  const previous = managers.find((m) => managerId(m.entry) === id);
  const appliedSet = fieldSetOf(kind, { path: [], meta: '', value: trackedView(config) });

  // A create merges into nothing: the result is the configuration, already a copy of its own.
  let merged = config;
  if (live) {
    const liveBody = cloneJson(live) as KubeObject;
    delete liveBody.metadata.managedFields;
    merged = mergeForApply(kind, liveBody, config) as KubeObject;
  }

  if (previous) {
    const others = managers.filter((m) => m !== previous);
    const keep = (path: FieldPath) => appliedSet.hasAtOrBelow(path) || others.some((m) => m.set.hasAtOrBelow(path));
    removeFields(kind, merged as unknown as JsonObject, previous.set.difference(appliedSet).paths(), keep);
  }

  // Only other managers' fields can conflict or change hands: with none (a create, or the sole
  // manager applying again), the field-by-field comparison of live and merged would find nothing to do.
  if (managers.some((m) => managerId(m.entry) !== id)) settleOwnership(kind, managers, id, liveTracked, trackedView(merged) as JsonObject, force);
  if (previous) {
    previous.entry = entry;
    previous.set = appliedSet;
  } else {
    managers.push({ entry, set: appliedSet });
  }
  merged.metadata.managedFields = encodeManagers(managers) as ManagedFieldsEntry[];
  return merged;
}

/** What an apply may change: the status subresource takes only `status`, the main resource everything else. */
function appliedPart(config: KubeObject, subresource: string | undefined): KubeObject {
  delete config.metadata.managedFields;
  if (subresource !== 'status') {
    delete config.status;
    return config;
  }
  const { name, namespace } = config.metadata;
  return {
    apiVersion: config.apiVersion,
    kind: config.kind,
    metadata: { ...(name ? { name } : {}), ...(namespace ? { namespace } : {}) },
    ...(config.status === undefined ? {} : { status: config.status }),
  };
}

/** A null in an applied configuration means "not set". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}
