import { badRequest } from '../errors/status-error.js';
import type { KubeObject } from '../kube/object.js';
import { cloneJson, isObject, jsonEqual, type JsonObject } from './json-value.js';
import { identity, orderMergedList } from './list-order.js';
import { fieldPath, itemPath, lookupFieldMeta, type FieldMeta } from './patch-meta.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/**
 * Strategic merge patch with Kubernetes' semantics: lists tagged in
 * patch-meta.ts merge by their key (or as sets of scalars), other lists are
 * replaced; `null` deletes a key; directives `$patch` (replace/delete),
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`
 * act as in apimachinery's strategicpatch. Malformed patches are 400s.
 */
export function applyStrategicMergePatch(target: KubeObject, patch: unknown, kind: string): KubeObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return mergeStrategic(target as unknown as JsonObject, patch, (path) => lookupFieldMeta(kind, path)) as unknown as KubeObject;
}

/** Finds the patch metadata of a field path such as `spec.containers[].env`. */
export type MetaLookup = (path: string) => FieldMeta | undefined;

/** Strategic merge of `patch` into a copy of `target`, with patch metadata from `lookup`. */
export function mergeStrategic(target: JsonObject, patch: JsonObject, lookup: MetaLookup): JsonObject {
  return new Merger(lookup).map(cloneJson(target), patch, '');
}

class Merger {
  constructor(private readonly lookup: MetaLookup) {}

  /** Merge `patch` into `original` (owned by the caller, may be mutated) and return the result. */
  map(original: JsonObject | undefined, patch: JsonObject, path: string): JsonObject {
    if (PATCH in patch) {
      const directive = patch[PATCH];
      if (directive === 'replace') {
        const { [PATCH]: _, ...rest } = patch;
        return this.map(undefined, rest, path);
      }
      if (directive === 'delete') return {};
      throw badRequest(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
    }
    const result: JsonObject = original ?? {};
    this.retainKeys(result, patch);

    for (const [key, value] of Object.entries(patch)) {
      if (!key.startsWith(SET_ORDER)) continue;
      const field = key.slice(SET_ORDER.length);
      if (!Array.isArray(value)) throw badRequest('invalid patch format of setElementOrder list');
      const ordered = this.orderedList(result[field], patch[field], value, fieldPath(path, field));
      if (ordered !== undefined) result[field] = ordered;
    }

    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) continue;
      // `result[key] = …` with this key would set the prototype, not a field.
      if (key === '__proto__') throw badRequest(`field name "__proto__" is not allowed (at ${fieldPath(path, key)})`);
      if (value === null) {
        delete result[key];
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(patch, SET_ORDER + key)) continue;
      result[key] = this.value(result[key], value, fieldPath(path, key));
    }

    for (const [key, value] of Object.entries(patch)) {
      if (!key.startsWith(DELETE_FROM)) continue;
      const field = key.slice(DELETE_FROM.length);
      if (!Array.isArray(value)) throw badRequest('invalid patch format of primitive list');
      const current = result[field];
      if (Array.isArray(current)) result[field] = current.filter((v) => !value.some((d) => d === v));
    }
    return result;
  }

  private value(original: unknown, patch: unknown, path: string): unknown {
    if (isObject(patch)) return this.map(isObject(original) ? original : undefined, patch, path);
    if (Array.isArray(patch)) {
      const meta = this.lookup(path);
      if (meta?.list && Array.isArray(original)) return this.list(original, patch, meta, path);
      if (meta?.list) return this.list([], patch, meta, path);
      return patch.map((item) => this.value(undefined, item, itemPath(path)));
    }
    return patch;
  }

  /** `$retainKeys`: keys of the original not listed are cleared before merging. */
  private retainKeys(original: JsonObject, patch: JsonObject): void {
    if (!(RETAIN_KEYS in patch)) return;
    const keep = patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw badRequest('invalid patch format of retainKeys');
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || key.startsWith('$')) continue;
      if (!keep.includes(key)) throw badRequest('invalid patch format of retainKeys');
    }
    for (const key of Object.keys(original)) if (!keep.includes(key)) delete original[key];
  }

  /** Merge a list field and put it in `$setElementOrder` order; undefined when neither side has the list. */
  private orderedList(original: unknown, patch: unknown, order: unknown[], path: string): unknown[] | undefined {
    const meta = this.lookup(path);
    const originalList = Array.isArray(original) ? original : undefined;
    const patchList = Array.isArray(patch) ? patch : undefined;
    if (patch !== undefined && patch !== null && !patchList) throw badRequest('invalid patch format of setElementOrder list');
    checkOrder(patchList ?? [], order, meta?.key);
    let merged: unknown[];
    let serverOrder = originalList ?? [];
    if (originalList && patchList) {
      merged = meta?.list ? this.list(originalList, patchList, meta, path) : this.value(undefined, patchList, path) as unknown[];
      if (meta?.list === 'map' && meta.key) serverOrder = liveOrderAfterMerge(originalList, patchList, meta.key);
    } else if (patchList) {
      merged = this.value(undefined, patchList, path) as unknown[];
    } else if (originalList) {
      merged = originalList;
    } else {
      return undefined;
    }
    return orderMergedList(merged, order, serverOrder, meta?.key);
  }

  private list(original: unknown[], patch: unknown[], meta: FieldMeta, path: string): unknown[] {
    if (original.length === 0 && patch.length === 0) return original;
    const scalars = [...original, ...patch].every((v) => !isObject(v) && !Array.isArray(v));
    if (scalars) {
      const merged: unknown[] = [];
      for (const v of [...original, ...patch]) if (!merged.some((m) => m === v)) merged.push(v);
      return orderMergedList(merged, patch, original, undefined);
    }
    const key = meta.key;
    if (!key) throw badRequest(`cannot merge lists without merge key for ${path}`);
    for (const item of [...original, ...patch]) {
      if (!isObject(item)) throw badRequest(`unable to find api field in struct for the list ${path}: items must be objects`);
    }
    let current = original as JsonObject[];
    const plain: JsonObject[] = [];
    let replace = false;
    for (const item of patch as JsonObject[]) {
      if (!(PATCH in item)) {
        plain.push(item);
        continue;
      }
      const directive = item[PATCH];
      if (directive === 'delete') {
        if (!(key in item)) throw noMergeKey(item, key);
        current = current.filter((c) => !jsonEqual(c[key], item[key]));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw badRequest('merging lists cannot yet be specified in the patch');
      } else {
        throw badRequest(`Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(item)}`);
      }
    }
    const elemPath = itemPath(path);
    if (replace) return plain.map((item) => this.map(undefined, item, elemPath));

    const merged = [...current];
    for (const item of plain) {
      if (!(key in item)) throw noMergeKey(item, key);
      const at = merged.findIndex((c) => jsonEqual(c[key], item[key]));
      if (at >= 0) merged[at] = this.map(merged[at], item, elemPath);
      else merged.push(this.map(undefined, item, elemPath));
    }
    return orderMergedList(merged, plain, current, key);
  }
}

/**
 * The reference order apimachinery ends up using to place server-only items
 * under `$setElementOrder`: its merge deletes and appends in place, so the live
 * list it compares against reads as the surviving items, then the new ones,
 * cut to the live list's length. Reproduced because it decides where a new
 * container lands relative to ones kubectl does not manage.
 */
function liveOrderAfterMerge(original: unknown[], patch: unknown[], key: string): unknown[] {
  const items = patch.filter(isObject);
  if (items.some((p) => p[PATCH] === 'replace')) return original;
  const deleted = items.filter((p) => p[PATCH] === 'delete').map((p) => p[key]);
  const surviving = original.filter((o) => !(isObject(o) && deleted.some((d) => jsonEqual(d, o[key]))));
  const added: unknown[] = [];
  for (const p of items) {
    if (PATCH in p) continue;
    const known = [...surviving, ...added].some((o) => isObject(o) && jsonEqual(o[key], p[key]));
    if (!known) added.push(p);
  }
  return [...surviving, ...added].slice(0, original.length);
}

function noMergeKey(item: JsonObject, key: string) {
  return badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
}

/** The items of a patch list must appear in the same relative order as in its `$setElementOrder` list. */
function checkOrder(patchList: unknown[], order: unknown[], key: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const id = identity(key);
  const items = patchList.filter((p) => !(isObject(p) && PATCH in p));
  let at = 0;
  for (const item of items) {
    while (at < order.length && id(order[at]) !== id(item)) at++;
    if (at >= order.length) {
      throw badRequest(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}`);
    }
    at++;
  }
}
