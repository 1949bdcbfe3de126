import { FieldSet, describePath, fieldElement, indexElement, keyElement, valueElement, type FieldPath } from './field-set.js';
import { isObject, jsonEqual } from './json-value.js';
import { fieldPath, itemPath, lookupFieldMeta } from './patch-meta.js';

/** How server-side apply sees a value: a struct/map of fields, an associative list, a set, or one atomic value. */
export type Shape = 'struct' | 'mapList' | 'setList' | 'atomic';

/** A located value: its FieldsV1 path and its patch-meta path (`spec.containers[].env`). */
export interface Node {
  path: FieldPath;
  meta: string;
  value: unknown;
}

export function shapeOf(kind: string, node: Node): Shape {
  // A scalar is atomic whatever its field's metadata says: most nodes are scalars, and the lookup is not free.
  if (typeof node.value !== 'object' || node.value === null) return 'atomic';
  const meta = node.meta === '' ? undefined : lookupFieldMeta(kind, node.meta);
  if (Array.isArray(node.value)) {
    if (meta?.ssaAtomic) return 'atomic';
    if (meta?.list === 'map' && meta.key) return 'mapList';
    if (meta?.list === 'set') return 'setList';
    return 'atomic';
  }
  if (isObject(node.value)) return meta?.ssaAtomic ? 'atomic' : 'struct';
  return 'atomic';
}

/** The children of a struct or list, each with its path element. */
export function childrenOf(kind: string, node: Node, shape = shapeOf(kind, node)): Node[] {
  const { path, meta, value } = node;
  if (shape === 'struct') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ path: [...path, fieldElement(k)], meta: fieldPath(meta, k), value: v }));
  }
  if (shape === 'mapList') {
    const fieldMeta = lookupFieldMeta(kind, meta);
    const keys = fieldMeta?.ssaKeys ?? { [fieldMeta?.key as string]: undefined };
    return (value as unknown[]).map((item, i) => {
      const key = itemKey(item, keys);
      return { path: [...path, key ? keyElement(key) : indexElement(i)], meta: itemPath(meta), value: item };
    });
  }
  if (shape === 'setList') {
    return (value as unknown[]).map((v) => ({ path: [...path, valueElement(v)], meta: itemPath(meta), value: v }));
  }
  return [];
}

/** The key fields of an associative list at `meta`, each with its default (undefined: none). */
function listKeys(kind: string, meta: string): Record<string, unknown> {
  const fieldMeta = lookupFieldMeta(kind, meta);
  return fieldMeta?.ssaKeys ?? { [fieldMeta?.key as string]: undefined };
}

function missingKey(keys: Record<string, unknown>, item: unknown): string | undefined {
  return Object.keys(keys).find((k) => keys[k] === undefined && (!isObject(item) || item[k] === undefined));
}

/**
 * The first item of an associative list that lacks a key field, described as
 * structured-merge-diff reports it; undefined when every item can be keyed.
 * Every apply asks, and almost every one passes: the walk that builds field
 * paths (for the message) runs only once a check without them found one.
 */
export function findUnkeyedItem(kind: string, node: Node): string | undefined {
  return hasUnkeyedItem(kind, node.meta, node.value) ? describeUnkeyedItem(kind, node) : undefined;
}

function hasUnkeyedItem(kind: string, meta: string, value: unknown): boolean {
  const shape = shapeOf(kind, { path: [], meta, value });
  if (shape === 'atomic') return false;
  if (shape === 'struct') {
    const fields = value as Record<string, unknown>;
    for (const k of Object.keys(fields)) {
      const v = fields[k];
      // Only a list holds items; a scalar needs no path built.
      if (typeof v === 'object' && v !== null && hasUnkeyedItem(kind, fieldPath(meta, k), v)) return true;
    }
    return false;
  }
  const keys = shape === 'mapList' ? listKeys(kind, meta) : undefined;
  const items = itemPath(meta);
  for (const item of value as unknown[]) {
    if (keys && missingKey(keys, item)) return true;
    if (hasUnkeyedItem(kind, items, item)) return true;
  }
  return false;
}

function describeUnkeyedItem(kind: string, node: Node): string | undefined {
  const shape = shapeOf(kind, node);
  if (shape === 'mapList') {
    const keys = listKeys(kind, node.meta);
    const items = node.value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const missing = missingKey(keys, items[i]);
      if (missing) {
        return `${describePath(node.path)}: element ${i}: associative list with keys has an element that omits key field "${missing}" (and doesn't have default value)`;
      }
    }
  }
  if (shape === 'atomic') return undefined;
  for (const child of childrenOf(kind, node, shape)) {
    const found = describeUnkeyedItem(kind, child);
    if (found) return found;
  }
  return undefined;
}

/** An item's key fields, defaults filled in; undefined when a key field without default is missing. */
function itemKey(item: unknown, keys: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!isObject(item)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, fallback] of Object.entries(keys)) {
    const value = item[name] ?? fallback;
    if (value === undefined) return undefined;
    out[name] = value;
  }
  return out;
}

/**
 * The fields a value sets, as an Apply entry records them (structured-merge-diff's
 * ToFieldSet): every scalar and atomic value and every list item; structs and
 * maps only through their fields, so an empty one sets nothing.
 */
export function fieldSetOf(kind: string, node: Node, into = new FieldSet()): FieldSet {
  const shape = shapeOf(kind, node);
  if (shape === 'atomic') {
    if (node.path.length > 0) into.add(node.path);
    return into;
  }
  for (const child of childrenOf(kind, node, shape)) {
    if (shape !== 'struct') into.add(child.path);
    if (shape !== 'setList') fieldSetOf(kind, child, into);
  }
  return into;
}

// Always present in a typed Kubernetes object, so an update never "adds" them.
const SKELETON = new Set(['["f:metadata"]', '["f:spec"]', '["f:status"]']);

/** Every node of a subtree, containers included, as a comparison reports an added or removed subtree. */
function subtreePaths(kind: string, node: Node, into: FieldSet): void {
  if (node.path.length > 0 && !SKELETON.has(JSON.stringify(node.path))) into.add(node.path);
  const shape = shapeOf(kind, node);
  if (shape === 'atomic') return;
  for (const child of childrenOf(kind, node, shape)) subtreePaths(kind, child, into);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * Which fields an edit from `before` to `after` added, changed and removed
 * (structured-merge-diff's Compare): an added or removed struct, map or list
 * item counts itself and everything under it; a changed scalar or atomic value
 * counts once.
 */
export function compareObjects(kind: string, before: unknown, after: unknown): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareNodes(kind, { path: [], meta: '', value: before ?? {} }, { path: [], meta: '', value: after ?? {} }, out);
  return out;
}

function compareNodes(kind: string, before: Node, after: Node, out: Comparison): void {
  const shape = shapeOf(kind, after);
  if (shape !== shapeOf(kind, before) || shape === 'atomic') {
    if (!jsonEqual(before.value, after.value)) out.modified.add(after.path);
    return;
  }
  const was = new Map(childrenOf(kind, before, shape).map((c) => [JSON.stringify(c.path), c]));
  for (const child of childrenOf(kind, after, shape)) {
    const id = JSON.stringify(child.path);
    const old = was.get(id);
    was.delete(id);
    if (!old) subtreePaths(kind, child, out.added);
    else compareNodes(kind, old, child, out);
  }
  for (const gone of was.values()) subtreePaths(kind, gone, out.removed);
}
