import type { FieldPath } from './field-set.js';
import { childrenOf, shapeOf, type Node } from './field-walk.js';
import { cloneJson, isObject, type JsonObject } from './json-value.js';

/**
 * Merges an applied configuration into the live object the way server-side
 * apply does: structs and maps merge field by field, associative lists merge
 * item by item (by merge key), sets merge by value, atomic values are replaced.
 * Live-only list items keep their place; applied items take the applied order.
 */
export function mergeForApply(kind: string, live: unknown, applied: unknown): unknown {
  return mergeNode(kind, { path: [], meta: '', value: live }, { path: [], meta: '', value: applied });
}

function mergeNode(kind: string, live: Node, applied: Node): unknown {
  if (live.value === undefined) return cloneJson(applied.value);
  const shape = shapeOf(kind, applied);
  if (shape === 'atomic' || shape !== shapeOf(kind, live)) return cloneJson(applied.value);
  if (shape === 'struct') {
    const out = cloneJson(live.value) as JsonObject;
    for (const child of childrenOf(kind, applied, shape)) {
      const key = child.path[child.path.length - 1].slice(2);
      out[key] = mergeNode(kind, { ...child, value: out[key] }, child);
    }
    return out;
  }
  const liveItems = childrenOf(kind, live, shape);
  const appliedItems = childrenOf(kind, applied, shape);
  const id = (n: Node) => n.path[n.path.length - 1];
  const appliedIds = new Set(appliedItems.map(id));
  const liveById = new Map(liveItems.map((n) => [id(n), n]));
  const out: unknown[] = [];
  let next = 0;
  // Emit live-only items that sit before the shared item `upTo` in the live list.
  const flush = (upTo?: string) => {
    while (next < liveItems.length && id(liveItems[next]) !== upTo) {
      if (!appliedIds.has(id(liveItems[next]))) out.push(cloneJson(liveItems[next].value));
      next++;
    }
  };
  for (const item of appliedItems) {
    const match = liveById.get(id(item));
    if (match) {
      flush(id(item));
      if (next < liveItems.length) next++;
      out.push(shape === 'setList' ? cloneJson(item.value) : mergeNode(kind, match, item));
    } else {
      out.push(cloneJson(item.value));
    }
  }
  flush();
  return out;
}

/**
 * Removes the given paths from `root` (mutated), unless `keep` says someone still
 * owns the path or something below it. Containers emptied by a removal go too,
 * when nobody owns them.
 */
export function removeFields(kind: string, root: JsonObject, paths: FieldPath[], keep: (path: FieldPath) => boolean): void {
  for (const path of [...paths].sort((a, b) => a.length - b.length)) {
    if (path.length === 0 || keep(path)) continue;
    if (!removeAt(kind, root, path)) continue;
    for (let n = path.length - 1; n > 0; n--) {
      const ancestor = path.slice(0, n);
      const value = locate(kind, root, ancestor)?.value;
      const empty = Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
      if (!empty || keep(ancestor) || !removeAt(kind, root, ancestor)) break;
    }
  }
}

function locate(kind: string, root: unknown, path: FieldPath): Node | undefined {
  let node: Node | undefined = { path: [], meta: '', value: root };
  for (const el of path) {
    if (!node || node.value === undefined) return undefined;
    node = childrenOf(kind, node).find((c) => c.path[c.path.length - 1] === el);
  }
  return node;
}

function removeAt(kind: string, root: unknown, path: FieldPath): boolean {
  const parent = locate(kind, root, path.slice(0, -1));
  if (!parent) return false;
  const last = path[path.length - 1];
  const children = childrenOf(kind, parent);
  const at = children.findIndex((c) => c.path[c.path.length - 1] === last);
  if (at < 0) return false;
  if (Array.isArray(parent.value)) parent.value.splice(at, 1);
  else delete (parent.value as JsonObject)[last.slice(2)];
  return true;
}
